"""Dates in Bikram Sambat, Devanagari digits and Nepali digit grouping for SMS texts.

Plain Python, no Odoo: the helpers templates call (``format_bs_date``, ``ne_digits``,
``format_npr``) are these functions, bound to the environment by
``models/mail_render_mixin.py``, which also words their errors in the user's language.

The calendar is the PyPI library ``nepali-datetime`` (its table of month lengths, the
one Nepal's calendar committee publishes, from 1975 BS to 2100 BS), imported when a
date is first converted: an Odoo without it loads the addon, and only a text that
formats a date in BS fails, with :class:`BsDateError` (``code`` "missing").  Years
after the current one are the library's projection until the official calendar of
that year is published (every BS library projects them).
"""

import datetime
import importlib
from decimal import ROUND_HALF_UP, Decimal

# the PyPI distribution (as the manifest's external_dependencies names it) and the
# module it installs
LIBRARY = "nepali-datetime"
LIBRARY_MODULE = "nepali_datetime"
# BS dates are Nepal's: a date-time (UTC in Odoo) is read at Nepal's time of day
NEPAL_TZ = "Asia/Kathmandu"

DEVANAGARI_DIGITS = str.maketrans("0123456789", "०१२३४५६७८९")
# Nepal's currency as customers read it, by language
NPR_SYMBOLS = {"en": "Rs.", "ne": "रु."}


class BsDateError(ValueError):
    """A date that cannot be written in Bikram Sambat, and why.

    :param code: "missing" (the library is not installed), "range" (the date is
        outside the library's calendar: ``first`` and ``last`` are the dates it
        covers), "value" (not a date)
    """

    def __init__(self, code, value=None, first=None, last=None):
        super().__init__(code, value)
        self.code = code
        self.value = value
        self.first = first
        self.last = last


def _calendar():
    """The ``nepali_datetime`` module, imported now (not when the addon loads)."""
    try:
        return importlib.import_module(LIBRARY_MODULE)
    except ImportError as exc:
        raise BsDateError("missing") from exc


def supported_range():
    """``(first, last)``: the Gregorian dates the calendar library can convert."""
    calendar = _calendar()
    return calendar.date.min.to_datetime_date(), calendar.date.max.to_datetime_date()


def _as_date(value):
    """``value`` as a Gregorian date: a date, a date-time (naive: UTC, as Odoo stores
    it; read in Nepal's time zone), or an ISO string ``YYYY-MM-DD[ HH:MM:SS]``."""
    if isinstance(value, str):
        try:
            value = (
                datetime.datetime.fromisoformat(value)
                if len(value) > 10
                else datetime.date.fromisoformat(value)
            )
        except ValueError as exc:
            raise BsDateError("value", value) from exc
    if isinstance(value, datetime.datetime):
        from zoneinfo import ZoneInfo

        aware = value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
        return aware.astimezone(ZoneInfo(NEPAL_TZ)).date()
    if isinstance(value, datetime.date):
        return value
    raise BsDateError("value", value)


def _bs(value):
    """The library's BS date of a Gregorian date (see :func:`_as_date`)."""
    day = _as_date(value)
    calendar = _calendar()
    try:
        return calendar.date.from_datetime_date(day)
    except (OverflowError, ValueError, AssertionError, IndexError) as exc:
        first, last = supported_range()
        raise BsDateError("range", day, first, last) from exc


def to_bs(value):
    """``(year, month, day)`` in Bikram Sambat of a Gregorian date (see
    :func:`_as_date` for what ``value`` may be)."""
    bs = _bs(value)
    return bs.year, bs.month, bs.day


def is_nepali(lang):
    return (lang or "en").lower().startswith("ne")


def format_bs_date(value, lang="en"):
    """A Gregorian date written in Bikram Sambat: ``"17 Mangsir 2082"`` (``lang``
    English) or ``"१७ मंसिर २०८२"`` (``lang`` "ne" or "ne_NP"); ``""`` for no date.

    The month's name is the library's (``%B``, ``%N`` of its ``strftime``).
    """
    if not value:
        return ""
    bs = _bs(value)
    if is_nepali(lang):
        return ne_digits(f"{bs.day} {bs.strftime('%N')} {bs.year}")
    return f"{bs.day} {bs.strftime('%B')} {bs.year}"


def ne_digits(value):
    """``value`` as text with its digits in Devanagari (``2082`` -> ``"२०८२"``);
    ``""`` for ``None``/``False``."""
    if value is None or value is False:
        return ""
    return str(value).translate(DEVANAGARI_DIGITS)


def group_nepali(amount, digits=2):
    """``amount`` with Nepali digit grouping: ``123456.5`` -> ``"1,23,456.50"``
    (the last three digits, then pairs), rounded half up to ``digits`` decimals."""
    quantum = Decimal(1).scaleb(-digits)
    value = Decimal(str(amount)).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    whole, _, fraction = f"{abs(value):f}".partition(".")
    head, tail = whole[:-3], whole[-3:]
    pairs = []
    while head:
        pairs.insert(0, head[-2:])
        head = head[:-2]
    grouped = ",".join([*pairs, tail])
    return sign + grouped + (f".{fraction}" if fraction else "")


def format_npr(amount, lang="en", digits=2):
    """An amount in Nepalese rupees as customers read it: ``"Rs. 1,23,456.00"`` or,
    ``lang`` "ne", ``"रु. १,२३,४५६.००"``; ``""`` for no amount (``None``/``False``)."""
    if amount is None or amount is False:
        return ""
    grouped = group_nepali(amount, digits)
    sign, grouped = ("-", grouped[1:]) if grouped.startswith("-") else ("", grouped)
    if is_nepali(lang):
        return f"{sign}{NPR_SYMBOLS['ne']} {ne_digits(grouped)}"
    return f"{sign}{NPR_SYMBOLS['en']} {grouped}"
