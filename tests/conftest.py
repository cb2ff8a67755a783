"""pytest set-up of the plain-Python suite (tests/).

The sandbox gateway is the ``aakash_sms_sandbox`` package (``test-requirements.txt``
installs it); its own tests need nothing else. The tests of the addon's plain-Python
code (gateway client, number and text rules, ...) import it as Odoo does, from
``odoo.addons.aakash_sms``: they need a Python that imports Odoo 19 (./run-tests uses
one), and this repository on Odoo's addons path, which is set here through Odoo's own
configuration (``AAKASH_TEST_ADDONS``, relative to the repository: another folder, as
scripts/mutation does). Without Odoo those test modules are skipped, for one reason;
with ``CI=true`` that is a failure.
"""

import os
import socket
import sys
from pathlib import Path

import pytest

try:
    from aakash_sms_sandbox import SandboxGateway
except ModuleNotFoundError as exc:  # pragma: no cover - a set-up error
    raise ModuleNotFoundError(
        f"{exc}: the sandbox gateway is the development package aakash_sms_sandbox/; "
        "install it from the repository root: pip install -r test-requirements.txt"
    ) from exc

REPO = Path(__file__).resolve().parent.parent
TOKEN = "tok-3f9a1c77e2"
STRICT = os.environ.get("CI", "").lower() in ("true", "1", "yes")


def _odoo_addons_path():
    """Put this repository on Odoo's addons path; the reason why not, or ``""``."""
    try:
        import odoo.release
    except ImportError as exc:
        return f"Odoo 19 is not importable by {sys.executable} ({exc})"
    if odoo.release.version_info[0] != 19:
        return f"{sys.executable} imports Odoo {odoo.release.version}, not 19"
    from odoo.modules import module
    from odoo.tools import config

    config.parse_config(
        ["--addons-path", str(REPO / os.environ.get("AAKASH_TEST_ADDONS", "."))]
        + ["--http-interface", "127.0.0.1"],
        setup_logging=False,
    )
    module.initialize_sys_path()
    return ""


NO_ODOO = _odoo_addons_path()


class _NeedsOdoo(pytest.Module):
    """A test module of the addon's code, when Odoo is not importable."""

    def collect(self):
        reason = (
            f"{NO_ODOO}: the tests of the addon's code import it from odoo.addons "
            "(./run-tests uses a Python with Odoo 19)"
        )
        if STRICT:
            pytest.fail(f"CI=true: {reason}", pytrace=False)
        pytest.skip(reason)


def pytest_pycollect_makemodule(module_path, parent):
    if NO_ODOO and "odoo.addons" in module_path.read_text(encoding="utf-8"):
        return _NeedsOdoo.from_parent(parent, path=module_path)
    return None


@pytest.fixture
def gateway():
    with SandboxGateway(tokens={TOKEN: 1000}) as gw:
        yield gw


@pytest.fixture
def client(gateway):
    from odoo.addons.aakash_sms.tools.client import AakashClient

    return AakashClient(
        TOKEN, base_url=gateway.base_url, timeout=(1, 0.5), backoff=0.01
    )


@pytest.fixture
def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
