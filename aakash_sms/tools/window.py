"""Sending hours: when a company's window of sending hours opens next (no ORM)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Kathmandu"


def window_opening(now, start, end, tz=None):
    """When the window ``start``-``end`` (hours of the day in ``tz``, e.g. 8.0 and
    20.0) next opens, or ``None`` if it is open at ``now``.

    :param now: a naive UTC datetime (as Odoo stores them)
    :param start: the hour it opens (8.5 is 08:30)
    :param end: the hour it closes; an end before the start spans midnight
    :return: a naive UTC datetime, or ``None``
    """
    zone = ZoneInfo(tz or DEFAULT_TZ)
    local = now.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
    hour = local.hour + local.minute / 60 + local.second / 3600
    is_open = start <= hour < end if start <= end else (hour >= start or hour < end)
    if start == end or is_open:
        return None
    opening = datetime.combine(local.date(), _time_of(start), tzinfo=zone)
    if opening <= local:
        opening = datetime.combine(
            local.date() + timedelta(days=1), _time_of(start), tzinfo=zone
        )
    return opening.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def _time_of(hours):
    minutes = round(hours * 60)
    return time(min(minutes // 60, 23), minutes % 60)
