"""The fake Aakash server's own rules: who a number reaches, what a text costs.

This is the gateway's side of the story, written apart from the addon's client (which
has rules of its own for the same facts): a test in which both sides shared one
implementation would agree with itself whatever the rule.

Numbers: Aakash takes comma-separated 10-digit Nepali mobile numbers. The mobile
ranges (first three digits) and who runs them:

==========  ===============================
NTC         974, 975, 976, 984, 985, 986
Ncell       900, 970, 971, 980, 981, 982
Smart       961, 962, 988
UTL         972
other       960, 963
==========  ===============================

Credits: one per SMS part and recipient. A text of GSM 03.38 characters only travels
as 7-bit septets (160 in one SMS, 153 a part beyond; the escape-table characters take
two septets); any other character makes the whole text UCS-2 (70 UTF-16 code units in
one SMS, 67 a part beyond; a character outside the BMP takes two units).
"""

import re

# ----------------------------------------------------------------------------
# numbers
# ----------------------------------------------------------------------------
_OPERATORS = {
    "ntc": "974 975 976 984 985 986",
    "ncell": "900 970 971 980 981 982",
    "smart": "961 962 988",
    "utl": "972",
    "other": "960 963",
}
OPERATOR_OF_RANGE = {
    first_three: operator
    for operator, ranges in _OPERATORS.items()
    for first_three in ranges.split()
}
_PUNCTUATION = re.compile(r"[ \t()./-]")
_COUNTRY = "977"


def mobile(typed):
    """``(ten_digits, operator)`` of one number as the gateway reads it, or ``None``.

    The gateway is lenient with what a client may add around the ten digits: spaces,
    dashes, dots, brackets, and the country code (``977``, ``+977``, ``00977``).
    """
    digits = _PUNCTUATION.sub("", typed or "")
    for lead in ("+", "00"):
        if digits.startswith(lead + _COUNTRY):
            digits = digits[len(lead) :]
            break
    if len(digits) == 13 and digits.startswith(_COUNTRY):
        digits = digits[3:]
    if not re.fullmatch("[0-9]{10}", digits):
        return None
    operator = OPERATOR_OF_RANGE.get(digits[:3])
    return (digits, operator) if operator else None


# ----------------------------------------------------------------------------
# credits
# ----------------------------------------------------------------------------
# GSM 03.38's default alphabet, 16 code points a row (0x00 to 0x7F); the escape
# (0x1B) stands as a space and the real space is at 0x20.
_DEFAULT_ALPHABET = (
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
SEPTETS = dict.fromkeys(_DEFAULT_ALPHABET.replace("\x1b", ""), 1)
SEPTETS.update(dict.fromkeys("\f^{}\\[~]|€", 2))  # escape + the character
# (characters in one SMS, characters a part when the text needs several)
SINGLE_AND_PART = {"gsm": (160, 153), "ucs2": (70, 67)}


def parts(text):
    """How many SMS parts ``text`` takes: what each recipient costs, in credits."""
    if all(char in SEPTETS for char in text):
        coding, units = "gsm", sum(SEPTETS[char] for char in text)
    else:
        coding, units = "ucs2", len(text.encode("utf-16-le", "surrogatepass")) // 2
    single, part = SINGLE_AND_PART[coding]
    if units <= single:
        return 1 if units else 0
    return (units + part - 1) // part
