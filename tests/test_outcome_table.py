"""The README's outcome table says what aakash_sms/const.py does (no Odoo needed)."""

import re
from pathlib import Path

from odoo.addons.aakash_sms.const import OUTCOMES

README = Path(__file__).resolve().parent.parent / "README.md"
# the README's words for Odoo's failure types -> the provider state const.OUTCOMES names
ODOO_WORDS = {
    "Missing Number": "sms_number_missing",
    "Wrong Number Format": "wrong_number_format",
    "Blacklisted": "blacklisted",
    "Unknown error": "duplicate_message",
    "Server Error": "server_error",
    "Unregistered Account": "unregistered",
    "Insufficient Credit": "insufficient_credit",
}


def readme_rows():
    lines = README.read_text(encoding="utf-8").splitlines()
    start = next(
        i for i, line in enumerate(lines) if line.startswith("| outcome (error kind) |")
    )
    rows = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        outcome, state, retried, odoo = [
            cell.strip() for cell in line.strip("|").split("|")
        ]
        kind = re.search(r"\(`(\w+)`\)", outcome)
        if kind:
            word = next(word for word in ODOO_WORDS if word in odoo)
            rows[kind.group(1)] = (state, retried == "yes", ODOO_WORDS[word])
    return rows


def test_every_outcome_is_in_the_readme_as_the_code_has_it():
    assert readme_rows() == OUTCOMES


def test_the_table_is_read():
    assert len(readme_rows()) == len(OUTCOMES) > 10
