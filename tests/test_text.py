import pytest
from hypothesis import given
from hypothesis import strategies as st

from aakash_sms.tools.text import GSM7_BASIC, measure


@pytest.mark.parametrize("length, segments", [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)])
def test_gsm7_segments(length, segments):
    info = measure("a" * length)
    assert (info.encoding, info.length, info.segments, info.credits) == ("gsm7", length, segments, segments)


def test_extension_characters_count_twice():
    assert measure("€").length == 2
    assert measure("{" * 80).segments == 1
    assert measure("{" * 81).segments == 2


@pytest.mark.parametrize("length, segments", [(70, 1), (71, 2), (134, 2), (135, 3)])
def test_unicode_segments(length, segments):
    info = measure("न" * length)
    assert (info.encoding, info.segments) == ("unicode", segments)


def test_one_nepali_letter_makes_it_unicode():
    assert measure("Namaste नमस्ते").encoding == "unicode"
    assert measure("Namaste").encoding == "gsm7"


def test_emoji_counts_two_units():
    assert measure("🙏").length == 2
    assert measure("🙏" * 35).segments == 1
    assert measure("🙏" * 36).segments == 2


def test_empty():
    assert measure("").segments == 0
    assert measure(None).segments == 0


@given(st.text(alphabet=sorted(GSM7_BASIC), min_size=161, max_size=2000))
def test_property_gsm7_long_texts(text):
    info = measure(text)
    assert info.encoding == "gsm7"
    assert info.segments == -(-len(text) // 153)
