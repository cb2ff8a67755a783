#!/usr/bin/env python3
"""Find or build a Python that imports Odoo 19, for ./run-tests, ./demo and
scripts/odoo-pytest.

Standard library only: it runs with any python3 >= 3.10.

    python3 scripts/odoo_env.py python      # the interpreter to use (stdout), or exit 3
    python3 scripts/odoo_env.py apt PKG...  # installs the missing Debian packages

If ``$PYTHON`` (default: the interpreter running this script) already imports Odoo 19,
that is the answer. Otherwise ``ODOO_SOURCE`` must name an Odoo 19.0 source tree: a
folder, or a ``.tar.gz`` / ``.tar.xz`` of one (extracted once into ``.odoo/src/``). A
project-local virtualenv ``.venv/`` is then built with Odoo's ``requirements.txt``
(pip constraint ``setuptools<81``), ``test-requirements.txt`` and
``requirements-odoo.txt``, and the tree is put on its path with a ``.pth`` file. The
venv is keyed on the content, in two parts: the Python version, the source (path, and
the archive's sha256) and Odoo's ``requirements.txt``, whose change rebuilds it; the
project's requirements files and ``aakash_sms_sandbox/pyproject.toml``, whose change
installs the project's requirements into it again (as it does when ``$PYTHON`` is that
venv's interpreter). The same keys reuse the venv (well under a second).
"""

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
STATE = REPO / ".odoo"
VENV = REPO / ".venv"
PROJECT_REQUIREMENTS = ["test-requirements.txt", "requirements-odoo.txt"]
# what the project's part of .venv is installed from (the sandbox gateway is installed
# editable by test-requirements.txt: its code is read in place, its metadata is not)
PROJECT_FILES = [*PROJECT_REQUIREMENTS, "aakash_sms_sandbox/pyproject.toml"]
ODOO_KEY_FILE = VENV / ".aakash-odoo-key"
PROJECT_KEY_FILE = VENV / ".aakash-project-key"
# Debian packages needed to build Odoo's requirements from source on Python 3.11
# (python-ldap and psycopg2 have no wheels): header file that proves each is there.
BUILD_PACKAGES = {
    "libldap2-dev": "/usr/include/ldap.h",
    "libsasl2-dev": "/usr/include/sasl/sasl.h",
    "libpq-dev": "/usr/include/postgresql/libpq-fe.h",
}


class SetupError(Exception):
    """A one-line reason why no Odoo environment could be had."""


def log(message):
    print("odoo env: " + message, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------
# Debian packages
# ----------------------------------------------------------------------
def dpkg_installed(package):
    proc = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True
    )
    return proc.returncode == 0 and proc.stdout.strip().endswith("install ok installed")


def apt_install(packages, why):
    """Install the Debian ``packages`` that are missing (root and apt-get needed)."""
    missing = [
        p for p in packages if not (shutil.which("dpkg-query") and dpkg_installed(p))
    ]
    if not missing:
        return
    if not shutil.which("apt-get"):
        raise SetupError(
            f"{why} needs the Debian packages {' '.join(missing)}, and there is no "
            "apt-get here: install them"
        )
    if os.geteuid() != 0:
        raise SetupError(
            f"{why} needs the Debian packages {' '.join(missing)}: run "
            f"`sudo apt-get install -y {' '.join(missing)}` (not root here)"
        )
    log(f"installing Debian packages {' '.join(missing)} ({why})")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    # `apt-get update` once per run of the test command (AAKASH_APT_UPDATED is
    # inherited)
    if not os.environ.get("AAKASH_APT_UPDATED"):
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
        os.environ["AAKASH_APT_UPDATED"] = "1"
    proc = subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    if proc.returncode:
        raise SetupError(
            f"apt-get install {' '.join(missing)} failed (exit {proc.returncode})"
        )


# ----------------------------------------------------------------------
# Odoo source
# ----------------------------------------------------------------------
def importable_odoo19(python):
    """True if ``python`` imports Odoo 19."""
    try:
        proc = subprocess.run(
            [
                python,
                "-c",
                "import odoo.release, sys; "
                "sys.exit(odoo.release.version_info[0] != 19)",
            ],
            capture_output=True,
            timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0


def find_root(folder):
    """The Odoo tree in ``folder`` (itself or one level down): has odoo/release.py and
    odoo/cli.

    A git clone has ``odoo-bin`` and ``addons/``; Odoo's official source archive (an
    sdist) has the addons inside ``odoo/addons`` and its launcher in ``setup/odoo``.
    """
    folder = Path(folder)
    candidates = (
        [folder] + sorted(p for p in folder.iterdir() if p.is_dir())
        if folder.is_dir()
        else []
    )
    for candidate in candidates:
        if (candidate / "odoo" / "release.py").is_file() and (
            candidate / "odoo" / "cli"
        ).is_dir():
            return candidate.resolve()
    return None


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def resolve_path(source):
    path = Path(source).expanduser()
    if not path.is_absolute():
        path = Path(os.environ.get("AAKASH_CALLER_CWD", os.getcwd())) / path
    return path.resolve()


def resolve_source(source):
    """``(root, identity)``: the Odoo tree named by ``source`` and what identifies
    it."""
    path = resolve_path(source)
    if path.is_dir():
        root = find_root(path)
        if not root:
            raise SetupError(
                f"ODOO_SOURCE={source} holds no Odoo tree (no odoo/release.py in it "
                "or one level down)"
            )
        return root, f"dir:{root}"
    if not path.is_file():
        raise SetupError(f"ODOO_SOURCE={source} does not exist")
    if not re.search(r"\.(tar\.gz|tgz|tar\.xz|txz)$", path.name):
        raise SetupError(
            f"ODOO_SOURCE={source} is neither a folder nor a .tar.gz / .tar.xz archive"
        )
    sha = file_sha256(path)
    dest = STATE / "src" / ("odoo-" + sha[:16])
    if not (dest / ".complete").exists():
        log(f"extracting {path} into {dest.relative_to(REPO)}")
        (STATE / "src").mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".extract-", dir=STATE / "src"))
        try:
            proc = subprocess.run(
                ["tar", "-xf", str(path), "-C", str(tmp)],
                capture_output=True,
                text=True,
            )
            if proc.returncode:
                raise SetupError(
                    f"could not extract {path}: {proc.stderr.strip()[-300:]}"
                )
            (tmp / ".complete").write_text(sha + "\n")
            if dest.exists():
                shutil.rmtree(dest)
            tmp.rename(dest)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
    root = find_root(dest)
    if not root:
        raise SetupError(f"the archive {path} holds no Odoo tree (no odoo/release.py)")
    return root, f"archive:{sha}"


def source_version(root):
    text = (root / "odoo" / "release.py").read_text()
    match = re.search(r"^version_info\s*=\s*\((\d+)", text, re.M)
    return int(match.group(1)) if match else None


# ----------------------------------------------------------------------
# the venv
# ----------------------------------------------------------------------
def venv_python():
    return VENV / "bin" / "python"


def odoo_key(root, identity):
    """What the Odoo part of .venv comes from: Python, Odoo source, its requirements."""
    digest = hashlib.sha256()
    digest.update(f"python {'.'.join(map(str, sys.version_info[:3]))}\n".encode())
    digest.update(f"source {identity}\n".encode())
    digest.update(_file_digest(root / "requirements.txt"))
    return digest.hexdigest()


def project_key():
    """What the project installs next to Odoo: its requirements files, the sandbox's."""
    digest = hashlib.sha256()
    for name in PROJECT_FILES:
        digest.update(_file_digest(REPO / name))
    return digest.hexdigest()


def _file_digest(path):
    return (
        path.name.encode()
        + b"\0"
        + (path.read_bytes() if path.exists() else b"(missing)")
    )


def pip_install(requirements):
    """``pip install -r`` each file into .venv (from the repository: ``-e ./...``)."""
    STATE.mkdir(exist_ok=True)
    constraints = STATE / "pip-constraints.txt"
    constraints.write_text(
        "# Odoo 19's requirements build with setuptools before 81\nsetuptools<81\n"
    )
    command = [
        str(venv_python()),
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "-c",
        str(constraints),
    ]
    for path in requirements:
        command += ["-r", str(path)]
    # PIP_CONSTRAINT reaches the isolated build environments too: a requirement built
    # from its sdist (seen: one whose setup.py imports pkg_resources) gets setuptools<81
    proc = subprocess.run(
        command, cwd=REPO, env=dict(os.environ, PIP_CONSTRAINT=str(constraints))
    )
    if proc.returncode:
        raise SetupError(
            f"pip could not install {', '.join(p.name for p in requirements)} "
            f"into .venv (exit {proc.returncode})"
        )


def build_venv(root, key):
    apt_install(
        sorted(p for p, header in BUILD_PACKAGES.items() if not Path(header).exists()),
        "building Odoo's requirements (python-ldap, psycopg2)",
    )
    log(
        f"building {VENV.name} (Odoo's requirements.txt and the project's; "
        "a few minutes, once)"
    )
    if VENV.exists():
        shutil.rmtree(VENV)
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    pip_install(
        [root / "requirements.txt"] + [REPO / name for name in PROJECT_REQUIREMENTS]
    )
    site = subprocess.run(
        [
            str(venv_python()),
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(site) / "odoo-source.pth").write_text(str(root) + "\n")
    if not importable_odoo19(str(venv_python())):
        raise SetupError(f"{VENV} was built but does not import Odoo 19 from {root}")
    ODOO_KEY_FILE.write_text(key + "\n")
    PROJECT_KEY_FILE.write_text(project_key() + "\n")
    log(f"{VENV.name} ready (Odoo from {root})")


def ensure_project():
    """Install the project's requirements into .venv again when they changed."""
    key = project_key()
    if PROJECT_KEY_FILE.exists() and PROJECT_KEY_FILE.read_text().strip() == key:
        return
    log(f"installing the project's requirements into {VENV.name} (they changed)")
    pip_install([REPO / name for name in PROJECT_REQUIREMENTS])
    PROJECT_KEY_FILE.write_text(key + "\n")


def own_venv(python):
    """True if ``python`` is this clone's .venv interpreter."""
    path = Path(shutil.which(python) or python).absolute()
    return path.name == "python" and path.parent.resolve() == (VENV / "bin").resolve()


def ensure_python():
    """The interpreter that imports Odoo 19, building .venv if needed."""
    python = os.environ.get("PYTHON") or sys.executable
    if importable_odoo19(python):
        if own_venv(python):
            ensure_project()
        return shutil.which(python) or python
    source = os.environ.get("ODOO_SOURCE")
    remembered = STATE / "odoo-source"
    if not source and remembered.exists() and venv_python().exists():
        # the one .venv was built from: reuse it
        source = remembered.read_text().strip()
        log(f"ODOO_SOURCE not set: using {source}, which .venv was built from")
    if not source:
        raise SetupError(
            f"Odoo 19 is not importable by {python} and ODOO_SOURCE is not set"
        )
    root, identity = resolve_source(source)
    if source_version(root) != 19:
        raise SetupError(f"ODOO_SOURCE={source} is Odoo {source_version(root)}, not 19")
    key = odoo_key(root, identity)
    if (
        venv_python().exists()
        and ODOO_KEY_FILE.exists()
        and ODOO_KEY_FILE.read_text().strip() == key
    ):
        ensure_project()
    else:
        build_venv(root, key)
    named = str(resolve_path(source))
    if not remembered.exists() or remembered.read_text().strip() != named:
        remembered.write_text(named + "\n")
    return str(venv_python())


def ensure_python_locked():
    """ensure_python() under the clone's set-up lock (two commands set up one after
    the other)."""
    STATE.mkdir(exist_ok=True)
    with open(STATE / "setup.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return ensure_python()


def reexec_with_odoo(name):
    """Run the calling script again with a Python that imports Odoo 19 (building .venv
    if needed), unless this one does; ``name`` prefixes the reason it cannot."""
    try:
        import odoo.release  # noqa: PLC0415 - whether this Python has Odoo

        if odoo.release.version_info[0] == 19:
            return
    except ImportError:
        pass
    if os.environ.get("AAKASH_REEXEC") == name:
        sys.exit(f"{name}: {sys.executable} does not import Odoo 19")
    try:
        python = ensure_python_locked()
    except SetupError as exc:
        sys.exit(
            f"{name}: {exc}. Set ODOO_SOURCE to an Odoo 19.0 source folder or archive "
            "(CONTRIBUTING.md)."
        )
    os.environ["AAKASH_REEXEC"] = name
    os.execv(python, [python, os.path.abspath(sys.argv[0]), *sys.argv[1:]])


def main(argv):
    if not argv or argv[0] not in ("python", "apt"):
        print(__doc__, file=sys.stderr)
        return 2
    STATE.mkdir(exist_ok=True)
    try:
        with open(STATE / "setup.lock", "w") as lock:
            # two commands in one clone set up one after the other
            fcntl.flock(lock, fcntl.LOCK_EX)
            if argv[0] == "apt":
                apt_install(argv[1:], "this command")
                return 0
            print(ensure_python())
            return 0
    except SetupError as exc:
        print(f"odoo env: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
