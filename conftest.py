"""pytest setup for the plain-Python suite (tests/).

``aakash_sms/__init__.py`` imports Odoo models; the gateway client in
``aakash_sms/tools`` does not.  Register a bare ``aakash_sms`` package so that
``aakash_sms.tools`` imports without executing the addon's ``__init__``.
"""

import sys
import types
from pathlib import Path

if "aakash_sms" not in sys.modules:
    _package = types.ModuleType("aakash_sms")
    _package.__path__ = [str(Path(__file__).resolve().parent / "aakash_sms")]
    sys.modules["aakash_sms"] = _package
