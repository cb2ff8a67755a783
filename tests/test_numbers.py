import pytest
from hypothesis import given
from hypothesis import strategies as st

from aakash_sms.tools.numbers import _PREFIX_NETWORK, check_number, normalize_number, split_numbers


@pytest.mark.parametrize("typed", [
    "+977-981-2345678", "977 9812345678", "00977 981.234.5678", "9812345678", "(981) 234-5678",
    " +977 981 234 5678 ",
])
def test_accepts_what_people_type(typed):
    check = check_number(typed)
    assert check.valid, check.reason
    assert check.number == "9812345678"
    assert check.network == "ncell"


@pytest.mark.parametrize("typed, reason", [
    ("", "no number"),
    (None, "no number"),
    (False, "no number"),
    ("+91 98123 45678", "country code"),
    ("0044 7911 123456", "country code"),
    ("98123abc78", "digits"),
    ("981234567", "10 digits"),
    ("98123456789", "10 digits"),
    ("01-4412345", "10 digits"),
    ("9871234567", "987 is not a Nepali mobile prefix"),
    ("9901234567", "990 is not"),
])
def test_rejects_with_a_reason(typed, reason):
    check = check_number(typed)
    assert not check.valid
    assert check.number == ""
    assert reason in check.reason


def test_reason_codes():
    assert [check_number(n).code for n in ("", "+1 555 0100", "98a", "123", "9871234567", "9812345678")] == [
        "empty", "country", "characters", "length", "prefix", ""]
    assert check_number("987-123-4567").prefix == "987"


def test_networks():
    assert check_number("9841234567").network == "ntc"
    assert check_number("9761234567").network == "ntc"
    assert check_number("9801234567").network == "ncell"
    assert check_number("9611234567").network == "smart"
    assert check_number("9721234567").network == "utl"


def test_split_deduplicates_in_order():
    valid, invalid = split_numbers(["9851111111", "+977 981 234 5678", "985-111-1111", "123", "9812345678"])
    assert valid == ["9851111111", "9812345678"]
    assert [c.raw for c in invalid] == ["123"]


prefixes = st.sampled_from(sorted(_PREFIX_NETWORK))
subscriber = st.text(alphabet="0123456789", min_size=7, max_size=7)
country = st.sampled_from(["", "+977", "977", "00977", "+977 ", "977-"])
separator = st.sampled_from(["", " ", "-", ".", "  "])


@given(prefixes, subscriber, country, separator)
def test_property_typed_forms_normalise_back(prefix, rest, cc, sep):
    national = prefix + rest
    typed = cc + sep.join([prefix, rest[:3], rest[3:]])
    assert normalize_number(typed) == national
    assert normalize_number(normalize_number(typed)) == national  # idempotent


@given(st.text(max_size=20))
def test_property_never_raises_and_valid_means_ten_known_digits(text):
    check = check_number(text)
    if check.valid:
        assert len(check.number) == 10 and check.number.isdigit()
        assert check.number[:3] in _PREFIX_NETWORK
    else:
        assert check.reason and not check.number
