"""Nepali mobile number normalisation (no Odoo import).

Aakash SMS wants the 10-digit national form (``98XXXXXXXX``).  People type
``+977-981-2345678``, ``977 9812345678``, ``00977 981.234.5678`` or just
``9812345678``; all of them normalise to ``9812345678``.

Valid prefixes are the mobile ranges Nepal's operators use (as listed in
libphonenumber's NP metadata): Nepal Telecom 974-976 and 984-986, Ncell
970 and 980-982, Smart Telecom 961, 962 and 988, UTL 972, and the 960/963
ranges.  Anything else is rejected before sending, with a reason.
"""
import re
from typing import NamedTuple

_SEPARATORS = re.compile(r"[\s\-./()]+")
_PREFIX_NETWORK = {
    "960": "other", "961": "smart", "962": "smart", "963": "other",
    "970": "ncell", "972": "utl",
    "974": "ntc", "975": "ntc", "976": "ntc",
    "980": "ncell", "981": "ncell", "982": "ncell",
    "984": "ntc", "985": "ntc", "986": "ntc",
    "988": "smart",
}


class NumberCheck(NamedTuple):
    """Outcome of checking one typed number."""

    raw: str
    number: str  # normalised 10-digit form, '' when invalid
    reason: str  # why it is invalid, '' when valid
    network: str  # operator guessed from the prefix, '' when invalid
    code: str = ""  # machine form of the reason: empty, country, characters, length, prefix
    prefix: str = ""  # the refused prefix, for code "prefix"

    @property
    def valid(self):
        return not self.reason


def check_number(raw):
    """Normalise ``raw`` to Aakash's 10-digit form or say why it cannot be."""
    text = "" if raw is None or raw is False else str(raw).strip()
    if not text:
        return NumberCheck(text, "", "no number", "", "empty")
    compact = _SEPARATORS.sub("", text)
    if compact.startswith("+"):
        compact = compact[1:]
        if not compact.startswith("977"):
            return NumberCheck(text, "", "not a Nepali number (country code is not +977)", "", "country")
    elif compact.startswith("00"):
        compact = compact[2:]
        if not compact.startswith("977"):
            return NumberCheck(text, "", "not a Nepali number (country code is not 977)", "", "country")
    if not compact.isdigit():
        return NumberCheck(text, "", "contains characters other than digits", "", "characters")
    if len(compact) == 13 and compact.startswith("977"):
        compact = compact[3:]
    if len(compact) != 10:
        return NumberCheck(text, "", "a Nepali mobile number has 10 digits", "", "length")
    network = _PREFIX_NETWORK.get(compact[:3])
    if not network:
        return NumberCheck(text, "", "%s is not a Nepali mobile prefix" % compact[:3], "", "prefix", compact[:3])
    return NumberCheck(text, compact, "", network)


def normalize_number(raw):
    """Return the 10-digit form of ``raw`` or ``''`` when it is not valid."""
    return check_number(raw).number


def split_numbers(raws):
    """Check many typed numbers: ``(valid, invalid)``.

    ``valid`` is the ordered list of distinct normalised numbers; ``invalid``
    the list of :class:`NumberCheck` that failed, in input order.
    """
    valid, invalid, seen = [], [], set()
    for raw in raws:
        check = check_number(raw)
        if not check.valid:
            invalid.append(check)
        elif check.number not in seen:
            seen.add(check.number)
            valid.append(check.number)
    return valid, invalid
