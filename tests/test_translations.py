"""Every addon's Nepali translation covers its .pot: no term left in English."""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ADDONS = ["aakash_sms", "aakash_sms_account"]


def read_po(path):
    """``{(msgctxt, msgid): msgstr}`` of a .po/.pot file (no plural forms here)."""
    entries, current, key = {}, {}, None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if "msgid" in current and current["msgid"]:
                entries[(current.get("msgctxt"), current["msgid"])] = current.get(
                    "msgstr", ""
                )
            current, key = {}, None
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            current[key] = ast.literal_eval(value)
    return entries


@pytest.mark.parametrize("addon", ADDONS)
def test_nepali_translates_every_term(addon):
    pot = read_po(REPO / addon / "i18n" / f"{addon}.pot")
    nepali = read_po(REPO / addon / "i18n" / "ne.po")
    assert pot, f"{addon}.pot has no term"
    untranslated = [key[1] for key in sorted(pot, key=str) if not nepali.get(key)]
    assert not untranslated, f"{addon}/i18n/ne.po lacks: {untranslated[:10]}"
    stale = sorted(set(nepali) - set(pot), key=str)
    assert not stale, f"{addon}/i18n/ne.po has terms its .pot no longer has: {stale}"
