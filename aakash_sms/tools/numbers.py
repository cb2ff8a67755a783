"""Nepali mobile number normalisation (no Odoo import).

Aakash SMS wants the 10-digit national form (``98XXXXXXXX``).  People type
``+977-981-2345678``, ``977 9812345678``, ``00977 981.234.5678``,
``(981) 234-5678`` or just ``9812345678``; all of them normalise to
``9812345678``.

Which numbers are Nepali mobiles, which are landlines and which operator runs
a range is decided by the ``phonenumbers`` library (Google's libphonenumber
metadata, the library Odoo's ``phone_validation`` uses), including its carrier
data for Nepal.  When ``phonenumbers`` is not importable, a prefix table kept
from the same metadata is used instead: Nepal Telecom 974-976 and 984-986,
Ncell 970, 971 and 980-982, Smart Telecom 961, 962 and 988, UTL 972, and the
960/963 ranges (other operators).
"""

import re
from typing import NamedTuple

try:
    import phonenumbers
    from phonenumbers import carrier as _carrier
except ImportError:  # pragma: no cover - exercised by patching, see tests
    phonenumbers = None
    _carrier = None

_SEPARATORS = re.compile(r"[\s\-./()]+")
NTC, NCELL, SMART, UTL = "NTC", "Ncell", "Smart Telecom", "UTL"
NETWORKS = (NTC, NCELL, SMART, UTL)
_PREFIX_NETWORK = {
    "960": "",
    "961": SMART,
    "962": SMART,
    "963": "",
    "970": NCELL,
    "971": NCELL,
    "972": UTL,
    "974": NTC,
    "975": NTC,
    "976": NTC,
    "980": NCELL,
    "981": NCELL,
    "982": NCELL,
    "984": NTC,
    "985": NTC,
    "986": NTC,
    "988": SMART,
}
# libphonenumber's carrier names for Nepal -> the names Aakash's customers use
# (NDCL, Nepal Doorsanchar Company, is Nepal Telecom's legal name).
_CARRIER_NETWORK = {
    "nepal telecom": NTC,
    "ndcl": NTC,
    "ntc": NTC,
    "ncell": NCELL,
    "smart telecom": SMART,
    "smart": SMART,
    "utl": UTL,
}
LANDLINE_REASON = "landline: SMS needs a mobile number"


class NumberCheck(NamedTuple):
    """Outcome of checking one typed number."""

    raw: str
    number: str  # normalised 10-digit form, '' when invalid
    reason: str  # why it is invalid, '' when valid
    network: str  # NTC, Ncell, Smart Telecom, UTL, or '' (unknown operator or invalid)
    code: str = (
        ""  # empty, country, characters, length, landline, prefix ('' when valid)
    )
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
    international = False
    if compact.startswith("+"):
        compact, international = compact[1:], True
    elif compact.startswith("00"):
        compact, international = compact[2:], True
    if international and compact.isdigit() and not compact.startswith("977"):
        return NumberCheck(
            text, "", "not a Nepali number (country code is not 977)", "", "country"
        )
    if not compact.isdigit():
        return NumberCheck(
            text, "", "contains characters other than digits", "", "characters"
        )
    if international or (len(compact) == 13 and compact.startswith("977")):
        compact = compact[3:]
    if phonenumbers is not None:
        return _check_with_phonenumbers(text, compact)
    return _check_with_prefixes(text, compact)


def _parse(national):
    """``national`` (all digits, without the country code) as ``phonenumbers``
    parses it for Nepal, or ``None``.

    Ten digits without a trunk ``0`` (a mobile as typed nearly always) are the
    number itself: made at once rather than through ``phonenumbers.parse`` (most of a
    check's time, for a send of 100,000).
    """
    if len(national) == 10 and national[0] != "0":
        return phonenumbers.PhoneNumber(country_code=977, national_number=int(national))
    try:
        return phonenumbers.parse(national, "NP")
    except phonenumbers.NumberParseException:
        return None


def _check_with_phonenumbers(text, national):
    """``national`` is all digits, without the country code."""
    parsed = _parse(national)
    # (a number of no known type is not a valid one: ``is_valid_number`` is this test)
    kind = (
        phonenumbers.number_type(parsed)
        if parsed is not None
        else phonenumbers.PhoneNumberType.UNKNOWN
    )
    if kind != phonenumbers.PhoneNumberType.UNKNOWN:
        significant = str(parsed.national_number)
        if (
            kind
            in (
                phonenumbers.PhoneNumberType.MOBILE,
                phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
            )
            and len(significant) == 10
            and national == significant
        ):
            return NumberCheck(text, significant, "", _network(parsed, significant))
        if kind == phonenumbers.PhoneNumberType.FIXED_LINE:
            return NumberCheck(text, "", LANDLINE_REASON, "", "landline")
    return _refuse(text, national)


def _network(parsed, number):
    name = _carrier.name_for_valid_number(parsed, "en") if _carrier is not None else ""
    if name:
        return _CARRIER_NETWORK.get(name.lower(), "")
    return _PREFIX_NETWORK.get(number[:3], "")


def _check_with_prefixes(text, national):
    if len(national) == 10 and national[:3] in _PREFIX_NETWORK:
        return NumberCheck(text, national, "", _PREFIX_NETWORK[national[:3]])
    # Nepali landlines: area code (1 to 2 digits, not 9) and 6 to 7 digits, 8 in all
    # (9 with the trunk 0): 01-4412345, 061-523456.
    landline = national[1:] if national.startswith("0") else national
    if len(landline) == 8 and landline[0] not in "09":
        return NumberCheck(text, "", LANDLINE_REASON, "", "landline")
    return _refuse(text, national)


def _refuse(text, national):
    if len(national) != 10:
        return NumberCheck(
            text, "", "a Nepali mobile number has 10 digits", "", "length"
        )
    prefix = national[:3]
    return NumberCheck(
        text,
        "",
        f"{prefix} is not a Nepali mobile prefix",
        "",
        "prefix",
        prefix,
    )


def foreign_number(raw):
    """The E.164 form (``+919876543210``) of a number typed with another country code
    than Nepal's (``check_number(raw).code == "country"``), as Odoo stores it."""
    digits = _SEPARATORS.sub("", str(raw or "").strip()).lstrip("+")
    if digits.startswith("00"):
        digits = digits[2:]
    return "+" + digits


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


def network_label(name):
    """The operator name as Aakash's customers know it, for a network name from
    Aakash's replies."""
    text = str(name or "").strip()
    return _CARRIER_NETWORK.get(text.lower(), text)
