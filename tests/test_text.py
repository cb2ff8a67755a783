import pytest
from hypothesis import given
from hypothesis import strategies as st

from odoo.addons.aakash_sms.tools.text import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    MAX_SEGMENTS,
    TextProblem,
    blank,
    clean_text,
    control_chars,
    gsm_safe,
    lookalikes_replaced,
    measure,
    text_problem,
    unicode_chars,
    unicode_words,
)


@pytest.mark.parametrize(
    "length, segments",
    [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)],
)
def test_gsm7_segments(length, segments):
    info = measure("a" * length)
    assert (info.encoding, info.length, info.segments, info.credits) == (
        "gsm7",
        length,
        segments,
        segments,
    )


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


def test_bmp_edge():
    assert measure("\uffff").length == 1
    assert measure("\U00010000").length == 2


def test_empty():
    assert measure("").segments == 0
    assert measure(None).segments == 0


@given(st.text(alphabet=sorted(GSM7_BASIC), min_size=161, max_size=2000))
def test_property_gsm7_long_texts(text):
    info = measure(text)
    assert info.encoding == "gsm7"
    assert info.segments == -(-len(text) // 153)


# -- unusable characters --------------------------------------------------------
INVISIBLE = [
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u00ad",
    " ",
    "\t",
    "\n",
    "\u00a0",
    "\u3000",
    "\u034f",
    "\ufe0f",
]


@pytest.mark.parametrize(
    "text",
    ["", None, "   ", "\u200b", "\ufeff\u200b \u2060\n", "\u200d\u00a0\t", "\x00"],
)
def test_blank(text):
    assert blank(text)


@pytest.mark.parametrize("text", ["a", "\u200bx", ".", "न", "🙏", "\u200b\u00a0-"])
def test_not_blank(text):
    assert not blank(text)


@given(st.text(alphabet=INVISIBLE, max_size=30))
def test_property_invisible_texts_are_blank(text):
    assert blank(text)


def test_control_chars_named_in_order():
    assert control_chars("a\x00b\x1b\x00c\x7f\n\r\t") == ["\x00", "\x1b", "\x7f"]
    assert control_chars("line\r\nnext\tcol") == []
    assert control_chars("\ud800x") == ["\ud800"]
    assert control_chars("\x85") == ["\x85"]
    assert control_chars(None) == []


# -- what makes a text unsendable: the one rule of every send -------------------
@pytest.mark.parametrize(
    "text", ["", "   ", None, 42, "\u200b\ufeff", " \u2060\u200d\n"]
)
def test_text_problem_empty(text):
    assert text_problem(text) == TextProblem("empty")


def test_text_problem_control_characters_in_order():
    assert text_problem("a\x1bb\x7f\x1b") == TextProblem("control", ("\x1b", "\x7f"))
    assert text_problem("a\x1bb").codes == "U+001B"
    # a NUL is named whatever else the text holds: it is stored nowhere
    assert text_problem("\x00").code == "control"
    assert text_problem("two\r\nlines\tand a tab") is None


def test_text_problem_too_many_parts():
    assert MAX_SEGMENTS == 10
    assert text_problem("x" * (153 * 10)) is None
    assert text_problem("x" * (153 * 10 + 1)) == TextProblem(
        "too_long", segments=11, max_segments=10
    )
    assert text_problem("x" * 5000, max_segments=0) is None
    assert text_problem("x", max_segments=3, segments=4) == TextProblem(
        "too_long", segments=4, max_segments=3
    )


@pytest.mark.parametrize(
    "text, sentence",
    [
        ("", "The text is empty."),
        (
            "a\x00b",
            "The text contains a control character (U+0000) that cannot be sent: "
            "remove it.",
        ),
        (
            "a\x1bb\x7f",
            "The text contains control characters (U+001B, U+007F) that cannot be "
            "sent: remove them.",
        ),
        ("x" * 1600, "The text is too long: 11 SMS parts, at most 10 are allowed."),
    ],
)
def test_text_problem_in_words(text, sentence):
    assert text_problem(text).sentence() == sentence


def test_clean_text_strips_controls_keeps_lines():
    assert clean_text("a\x00b\x1b[0mc\r\n\td\x7f") == "ab[0mc\r\n\td"
    assert clean_text(None) == ""
    assert clean_text("नमस्ते\u200d") == "नमस्ते\u200d"


# -- GSM-7 look-alikes ----------------------------------------------------------
@pytest.mark.parametrize(
    "text, safe",
    [
        (
            "\u201cHello\u201d \u2014 it\u2019s \u20a8 500\u2026",
            '"Hello" - it\'s Rs 500...',
        ),
        ("a\u00a0b\u2009c\u202fd\u3000e\tf", "a b c d e f"),
        ("\u2018x\u2019 \u201ay\u201b `z\u00b4", "'x' 'y' 'z'"),
        ("\u201ex\u201f \u00abq\u00bb", '"x" "q"'),
        ("1\u20132 3\u20144 \u2212 5\u20106\u20117", "1-2 3-4 - 5-6-7"),
        ("\u2022 one\n\u2022 two", "- one\n- two"),
        ("zero\u200bwidth\ufeff\u2060\u00ad", "zerowidth"),
        ("join\u200dme\u200c", "joinme"),
        ("line\u2028para\u2029", "line\npara\n"),
        ("caf\u00e9 na\u00efve \u00e7a \u00e1", "caf\u00e9 naive ca a"),
        ("\uff21\uff22 \u00b2", "AB 2"),
        ("\u00d7 \u2122 \u00a9 \u00ae \u20b9", "x TM (c) (R) Rs"),
        ("\ufb01ne \u01c6", "fine dz"),
        ("\u1680\u2000\u200a\u205f", "    "),
        ("a\x00b", "ab"),
        ("plain GSM {text} \u20ac @", "plain GSM {text} \u20ac @"),
    ],
)
def test_gsm_safe(text, safe):
    assert gsm_safe(text) == safe
    assert measure(safe).encoding == "gsm7"
    assert unicode_chars(text) == []


def test_gsm_safe_leaves_devanagari_and_emoji():
    text = "\u0928\u092e\u0938\u094d\u200d\u0924\u0947 \u201chi\u201d \U0001f64f\ufe0f"
    safe = gsm_safe(text)
    assert safe == '\u0928\u092e\u0938\u094d\u200d\u0924\u0947 "hi" \U0001f64f\ufe0f'
    assert unicode_chars(text) == [
        "\u0928",
        "\u092e",
        "\u0938",
        "\u094d",
        "\u0924",
        "\u0947",
        "\U0001f64f",
    ]


def test_gsm_safe_never_costs_more_parts():
    text = "\u2026" * 70  # one Unicode part; 210 GSM-7 characters would be two
    assert gsm_safe(text) == text
    assert gsm_safe("\u2026" * 10) == "." * 30


def test_unicode_chars_in_order_distinct():
    assert unicode_chars("\U0001f64f a \u0928 \U0001f64f \u0928 \u0915") == [
        "\U0001f64f",
        "\u0928",
        "\u0915",
    ]
    assert unicode_chars("") == [] and unicode_chars(None) == []
    assert unicode_chars("hello \u20ac\n") == []
    assert unicode_chars("a\x00\u00a0") == []
    assert unicode_chars("\ud800\u0928") == ["\u0928"]
    assert unicode_chars("\u200d\ufe0f\t\n") == []


DEVANAGARI = st.characters(min_codepoint=0x0900, max_codepoint=0x097F)


@given(st.text())
def test_property_gsm_safe_idempotent(text):
    safe = gsm_safe(text)
    assert gsm_safe(safe) == safe


@given(st.text())
def test_property_gsm_safe_never_adds_parts_when_gsm7(text):
    safe = gsm_safe(text)
    if measure(safe).encoding == "gsm7":
        assert measure(safe).segments <= measure(text).segments
    assert unicode_chars(safe) == [ch for ch in unicode_chars(text) if ch in safe]


@given(
    st.lists(st.one_of(st.text(alphabet=DEVANAGARI, min_size=1), st.text(max_size=5)))
)
def test_property_gsm_safe_leaves_devanagari(parts):
    text = "".join(parts)
    assert [ch for ch in gsm_safe(text) if "\u0900" <= ch <= "\u097f"] == [
        ch for ch in text if "\u0900" <= ch <= "\u097f"
    ]


@given(st.text(alphabet=sorted(GSM7_BASIC) + sorted(GSM7_EXTENSION - {"\f"})))
def test_property_gsm_texts_unchanged(text):
    assert gsm_safe(text) == text
    assert unicode_chars(text) == []


def test_unicode_words_keep_vowel_signs_on_their_letters():
    text = "नमस्ते Sita, 20% off 😀 today नमस्ते!"
    assert unicode_words(text) == ["नमस्ते", "😀", "नमस्ते!"]
    assert unicode_words("Namaste \u2019Sita\u2019 \u2013 thanks") == []


def test_lookalikes_replaced_names_what_was_replaced():
    assert lookalikes_replaced("It\u2019s ready \u2013 \u20a8 500") == [
        ("\u2019", "'"),
        ("\u2013", "-"),
        ("\u20a8", "Rs"),
    ]
    assert lookalikes_replaced("plain text") == []
    # a Nepali text stays Unicode: its look-alikes are replaced all the same
    assert lookalikes_replaced("नमस्ते \u201cSita\u201d") == [
        ("\u201c", '"'),
        ("\u201d", '"'),
    ]
