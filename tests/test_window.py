"""Sending hours: when a company's window opens next."""

from datetime import datetime

import pytest

from odoo.addons.aakash_sms.tools.window import window_opening

# Kathmandu is UTC+05:45: 08:00 there is 02:15 UTC, 20:00 is 14:15 UTC
CASES = [
    # (now UTC, start, end, tz, next opening UTC or None when open)
    (datetime(2026, 12, 3, 2, 15), 8, 20, None, None),
    (datetime(2026, 12, 3, 14, 14, 59), 8, 20, None, None),
    (datetime(2026, 12, 3, 14, 15), 8, 20, None, datetime(2026, 12, 4, 2, 15)),
    (datetime(2026, 12, 3, 2, 14), 8, 20, None, datetime(2026, 12, 3, 2, 15)),
    (
        datetime(2026, 12, 3, 20, 0),
        8,
        20,
        "Asia/Kathmandu",
        datetime(2026, 12, 4, 2, 15),
    ),
    # a company in India (UTC+05:30), opening at 09:30
    (datetime(2026, 12, 3, 1, 0), 9.5, 18, "Asia/Kolkata", datetime(2026, 12, 3, 4, 0)),
    # a window over midnight (22:00-06:00)
    (datetime(2026, 12, 3, 23, 0), 22, 6, "UTC", None),
    (datetime(2026, 12, 3, 12, 0), 22, 6, "UTC", datetime(2026, 12, 3, 22, 0)),
    # the same start and end: no window
    (datetime(2026, 12, 3, 23, 0), 8, 8, None, None),
]


@pytest.mark.parametrize(("now", "start", "end", "tz", "opening"), CASES)
def test_window_opening(now, start, end, tz, opening):
    assert window_opening(now, start, end, tz) == opening
