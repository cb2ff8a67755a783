"""Bikram Sambat dates, Devanagari digits and Nepali grouping (tools/nepali_dates.py),
against dates Nepal's calendar publishes."""

import datetime
import sys

import pytest

from odoo.addons.aakash_sms.tools import nepali_dates
from odoo.addons.aakash_sms.tools.nepali_dates import (
    BsDateError,
    format_bs_date,
    format_npr,
    group_nepali,
    ne_digits,
    supported_range,
    to_bs,
)

D = datetime.date


@pytest.mark.parametrize(
    ("ad", "bs"),
    [
        (D(2025, 4, 14), (2082, 1, 1)),  # New Year 2082
        (D(2025, 4, 13), (2081, 12, 31)),  # its eve: Chaitra 2081 has 31 days
        (D(2024, 4, 13), (2081, 1, 1)),  # New Year 2081
        (D(2025, 12, 3), (2082, 8, 17)),  # 17 Mangsir 2082
        (D(2025, 5, 15), (2082, 2, 1)),  # Baisakh 2082 has 31 days
        (D(2025, 6, 15), (2082, 3, 1)),  # Jestha 2082 has 31 days
        (D(2025, 7, 16), (2082, 3, 32)),  # Asar 2082 has 32 days
        (D(2025, 7, 17), (2082, 4, 1)),
        (D(2026, 4, 14), (2083, 1, 1)),  # New Year 2083
        (D(2026, 12, 15), (2083, 8, 29)),  # Mangsir 2083 has 29 days (corrected)
        (D(2026, 12, 16), (2083, 9, 1)),
    ],
)
def test_gregorian_dates_are_the_bikram_sambat_days_nepals_calendar_publishes(ad, bs):
    assert to_bs(ad) == bs


def test_a_date_is_written_with_english_or_nepali_month_names_and_digits():
    assert format_bs_date(D(2025, 12, 3)) == "17 Mangsir 2082"
    assert format_bs_date(D(2025, 12, 3), "ne") == "१७ मंसिर २०८२"
    assert format_bs_date(D(2025, 12, 3), "ne_NP") == "१७ मंसिर २०८२"
    assert format_bs_date(D(2025, 4, 14), "en_US") == "1 Baishakh 2082"
    assert format_bs_date("2025-04-14", "ne") == "१ वैशाख २०८२"
    assert format_bs_date(False) == format_bs_date(None) == ""


def test_a_date_time_is_read_at_nepals_time_of_day():
    # 18:15 UTC on 13 April 2025 is past midnight in Kathmandu (UTC+5:45)
    assert to_bs(datetime.datetime(2025, 4, 13, 18, 15)) == (2082, 1, 1)
    assert to_bs(datetime.datetime(2025, 4, 13, 18, 14)) == (2081, 12, 31)
    assert to_bs("2025-04-13 18:15:00") == (2082, 1, 1)


def test_the_first_and_last_supported_dates_convert_and_their_neighbours_are_refused():
    first, last = supported_range()
    assert (first, last) == (D(1918, 4, 13), D(2044, 4, 12))
    assert to_bs(first) == (1975, 1, 1)
    assert to_bs(last) == (2100, 12, 30)
    for outside in (first - datetime.timedelta(days=1), last + datetime.timedelta(1)):
        with pytest.raises(BsDateError) as caught:
            to_bs(outside)
        assert caught.value.code == "range"
        assert (caught.value.first, caught.value.last) == (first, last)
        assert caught.value.value == outside


def test_what_is_not_a_date_is_refused_as_such():
    for value in ("14/04/2025", 20250414):
        with pytest.raises(BsDateError) as caught:
            format_bs_date(value)
        assert caught.value.code == "value"


def test_without_the_library_only_bs_dates_fail_and_they_say_why(monkeypatch):
    # None in sys.modules: "import nepali_datetime" raises ImportError, as where the
    # library is not installed
    monkeypatch.setitem(sys.modules, nepali_dates.LIBRARY_MODULE, None)
    with pytest.raises(BsDateError) as caught:
        format_bs_date(D(2025, 4, 14))
    assert caught.value.code == "missing"
    assert ne_digits(2082) == "२०८२"
    assert format_npr(123456, "ne") == "रु. १,२३,४५६.००"


@pytest.mark.parametrize(
    ("amount", "grouped"),
    [
        (0, "0.00"),
        (12, "12.00"),
        (999, "999.00"),
        (1000, "1,000.00"),
        (123456, "1,23,456.00"),
        (1234567.891, "12,34,567.89"),
        (12345678, "1,23,45,678.00"),
        (2.675, "2.68"),  # half up on the decimal written, not the binary float
        (-123456.5, "-1,23,456.50"),
    ],
)
def test_amounts_are_grouped_the_nepali_way(amount, grouped):
    assert group_nepali(amount) == grouped


def test_rupees_and_digits_read_as_customers_read_them():
    assert format_npr(123456) == "Rs. 1,23,456.00"
    assert format_npr(123456.5, "ne") == "रु. १,२३,४५६.५०"
    assert format_npr(-1500, "en") == "-Rs. 1,500.00"
    assert format_npr(None) == format_npr(False) == ""
    assert group_nepali(1234567, digits=0) == "12,34,567"
    assert ne_digits("Invoice 2082/83-0042") == "Invoice २०८२/८३-००४२"
    assert ne_digits(0) == "०"
    assert ne_digits(None) == ne_digits(False) == ""
