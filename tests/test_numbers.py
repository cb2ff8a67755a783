import pytest
from hypothesis import given
from hypothesis import strategies as st

from odoo.addons.aakash_sms.tools import numbers as numbers_module
from odoo.addons.aakash_sms.tools.numbers import (
    _PREFIX_NETWORK,
    LANDLINE_REASON,
    NETWORKS,
    check_number,
    network_label,
    normalize_number,
    split_numbers,
)


@pytest.fixture(params=["phonenumbers", "prefix table"])
def backend(request, monkeypatch):
    """Run a test with phonenumbers, then with the fallback prefix table."""
    if request.param == "prefix table":
        monkeypatch.setattr(numbers_module, "phonenumbers", None)
    else:
        assert numbers_module.phonenumbers is not None, (
            "phonenumbers is a declared dependency"
        )
    return request.param


@pytest.mark.parametrize(
    "typed",
    [
        "+977-981-2345678",
        "977 9812345678",
        "00977 981.234.5678",
        "9812345678",
        "(981) 234-5678",
        " +977 981 234 5678 ",
        "+9779812345678",
        "009779812345678",
    ],
)
def test_accepts_what_people_type(backend, typed):
    check = check_number(typed)
    assert check.valid, check.reason
    assert check.number == "9812345678"
    assert check.network == "Ncell"
    assert (check.code, check.prefix, check.raw, check.reason) == (
        "",
        "",
        typed.strip(),
        "",
    )


@pytest.mark.parametrize(
    "typed, reason, code",
    [
        ("", "no number", "empty"),
        ("   ", "no number", "empty"),
        (None, "no number", "empty"),
        (False, "no number", "empty"),
        ("+91 98123 45678", "not a Nepali number (country code is not 977)", "country"),
        (
            "0044 7911 123456",
            "not a Nepali number (country code is not 977)",
            "country",
        ),
        ("+1 555 0100", "not a Nepali number (country code is not 977)", "country"),
        ("98123abc78", "contains characters other than digits", "characters"),
        ("+977 98a", "contains characters other than digits", "characters"),
        ("981234567", "a Nepali mobile number has 10 digits", "length"),
        ("98123456789", "a Nepali mobile number has 10 digits", "length"),
        ("9779812345", "977 is not a Nepali mobile prefix", "prefix"),
        ("123", "a Nepali mobile number has 10 digits", "length"),
        ("1", "a Nepali mobile number has 10 digits", "length"),
        ("+977 1", "a Nepali mobile number has 10 digits", "length"),
        ("+97798123", "a Nepali mobile number has 10 digits", "length"),
        ("01-4412345", LANDLINE_REASON, "landline"),
        ("+977-1-4412345", LANDLINE_REASON, "landline"),
        ("014412345", LANDLINE_REASON, "landline"),
        ("061-523456", LANDLINE_REASON, "landline"),
        ("9871234567", "987 is not a Nepali mobile prefix", "prefix"),
        ("9901234567", "990 is not a Nepali mobile prefix", "prefix"),
    ],
)
def test_rejects_with_a_reason(backend, typed, reason, code):
    check = check_number(typed)
    assert not check.valid
    assert (check.number, check.reason, check.code, check.network) == (
        "",
        reason,
        code,
        "",
    )
    assert check.raw == ("" if typed in (None, False) else typed.strip())
    assert check.prefix == (f"{check.reason[:3]}" if code == "prefix" else "")
    assert normalize_number(typed) == ""


def test_landline_reason_wording():
    assert LANDLINE_REASON == "landline: SMS needs a mobile number"


@pytest.mark.parametrize(
    "number, network",
    [
        ("9841234567", "NTC"),
        ("9851234567", "NTC"),
        ("9861234567", "NTC"),
        ("9741234567", "NTC"),
        ("9751234567", "NTC"),
        ("9761234567", "NTC"),
        ("9801234567", "Ncell"),
        ("9811234567", "Ncell"),
        ("9821234567", "Ncell"),
        ("9701234567", "Ncell"),
        ("9711234567", "Ncell"),
        ("9611234567", "Smart Telecom"),
        ("9621234567", "Smart Telecom"),
        ("9881234567", "Smart Telecom"),
        ("9721234567", "UTL"),
        ("9601234567", ""),
        ("9631234567", ""),
    ],
)
def test_networks(backend, number, network):
    check = check_number(number)
    assert check.valid and check.number == number
    assert check.network == network


def test_network_names_are_the_known_four():
    assert NETWORKS == ("NTC", "Ncell", "Smart Telecom", "UTL")
    assert set(_PREFIX_NETWORK.values()) == set(NETWORKS) | {""}


def test_carrier_data_decides_the_network(monkeypatch):
    class Carrier:
        @staticmethod
        def name_for_valid_number(_parsed, _lang):
            return "UTL"

    monkeypatch.setattr(numbers_module, "_carrier", Carrier)
    assert check_number("9841234567").network == "UTL"
    Carrier.name_for_valid_number = staticmethod(
        lambda _parsed, _lang: "Some New Operator"
    )
    assert check_number("9841234567").network == ""
    Carrier.name_for_valid_number = staticmethod(lambda _parsed, _lang: "")
    assert check_number("9841234567").network == "NTC", (
        "no carrier name: the prefix table decides"
    )
    monkeypatch.setattr(numbers_module, "_carrier", None)
    assert check_number("9811234567").network == "Ncell"


def test_a_range_missing_from_the_prefix_table_has_no_network(monkeypatch):
    monkeypatch.delitem(numbers_module._PREFIX_NETWORK, "984")
    monkeypatch.setattr(numbers_module, "_carrier", None)
    check = check_number("9841234567")
    assert check.valid and check.network == ""


def test_fallback_landline_shape(monkeypatch):
    monkeypatch.setattr(numbers_module, "phonenumbers", None)
    assert check_number("98123456").code == "length"
    assert check_number("019412345").code == "landline"
    assert check_number("09123456").code == "length"


def test_trunk_zero_before_a_mobile_is_refused(backend):
    assert check_number("09812345678").code == "length"


def test_split_deduplicates_in_order(backend):
    valid, invalid = split_numbers(
        [
            "9851111111",
            "+977 981 234 5678",
            "985-111-1111",
            "123",
            "9812345678",
            "01-4412345",
        ]
    )
    assert valid == ["9851111111", "9812345678"]
    assert [c.raw for c in invalid] == ["123", "01-4412345"]


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
        assert check.network in NETWORKS + ("",)
    else:
        assert check.reason and not check.number and check.code


@pytest.mark.parametrize(
    ("reported", "shown"),
    [
        ("Nepal Telecom", "NTC"),
        ("NDCL", "NTC"),
        (" ntc ", "NTC"),
        ("NCELL", "Ncell"),
        ("Smart Telecom", "Smart Telecom"),
        ("smart", "Smart Telecom"),
        ("UTL", "UTL"),
        ("Some New Operator", "Some New Operator"),
        (None, ""),
        ("", ""),
    ],
)
def test_network_label_names_operators_as_customers_know_them(reported, shown):
    assert network_label(reported) == shown


def test_foreign_number_is_written_as_odoo_stores_it():
    from odoo.addons.aakash_sms.tools.numbers import foreign_number  # noqa: PLC0415

    assert foreign_number("+91 98765 43210") == "+919876543210"
    assert foreign_number("0044 20-7946.0958") == "+442079460958"
    assert foreign_number("+1 (415) 555-0132") == "+14155550132"


@given(
    st.text(alphabet="0123456789", min_size=10, max_size=10).filter(
        lambda digits: digits[0] != "0"
    )
)
def test_a_ten_digit_number_is_read_as_phonenumbers_parses_it(national):
    """Ten digits are made into a number without ``phonenumbers.parse`` (the cost of
    a send of 100,000): the same number, so the same answer, as parsing it."""
    phonenumbers = numbers_module.phonenumbers
    assert numbers_module._parse(national) == phonenumbers.parse(national, "NP")
