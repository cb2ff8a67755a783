"""SMS text measurement: GSM-7 or Unicode, segments and credits (no Odoo import).

Rule (as mobile networks apply it, and as Aakash bills it, one credit per part):
- a text made only of GSM 03.38 characters is GSM-7: 160 characters fit one
  SMS, longer texts are split in parts of 153; characters of the extension
  table (``^ { } \\ [ ~ ] | €`` and form feed) count twice;
- any other character (Devanagari, emoji, ...) makes the whole text Unicode
  (UCS-2): 70 characters fit one SMS, longer texts are split in parts of 67;
  characters outside the BMP (most emoji) count twice.

Besides measuring, this module says what in a text is unusable
(:func:`blank`, :func:`control_chars`; :func:`text_problem` is the one rule every
send applies), removes it (:func:`clean_text`),
replaces GSM-7 look-alikes (:func:`gsm_safe`: curly quotes, dashes, no-break
spaces, ...) and names the characters that still force Unicode
(:func:`unicode_chars`).
"""

import unicodedata
from typing import NamedTuple

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")
LIMITS = {"gsm7": (160, 153), "unicode": (70, 67)}
# The most SMS parts one text may take (Aakash refuses longer texts).
MAX_SEGMENTS = 10

# Control characters a text may keep: GSM-7 has line feed and carriage return;
# a tab is harmless (gsm_safe turns it into a space).
ALLOWED_CONTROLS = frozenset("\n\r\t")
# Characters that shape the text around them (Devanagari conjuncts, emoji
# sequences): kept by gsm_safe while the text is Unicode anyway.
_SHAPING = frozenset("\u200c\u200d\ufe0e\ufe0f")
# Invisible characters that are not of the Unicode "format" category.
_INVISIBLE = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u2800\u3164\uffa0\ufe0e\ufe0f"
)

_LOOKALIKES = {
    "\t": " ",  # and every other space (category Zs): see _lookalike
    "\u2028": "\n",
    "\u2029": "\n",
    "\u0085": "\n",
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u00b4": "'",
    "`": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u2026": "...",
    "\u20a8": "Rs",
    "\u20b9": "Rs",
    "\u2022": "-",
    "\u2023": "-",
    "\u2043": "-",
    "\u2219": "-",
    "\u25e6": "-",
    "\u00b7": ".",
    "\u00d7": "x",
    "\u2122": "TM",
    "\u00a9": "(c)",
    "\u00ae": "(R)",
}


class TextInfo(NamedTuple):
    encoding: str  # 'gsm7' or 'unicode'
    length: int  # in GSM septets or UTF-16 code units
    segments: int  # SMS parts for one recipient (0 for an empty text)

    @property
    def credits(self):
        """Estimated credits for one recipient."""
        return self.segments

    @property
    def per_segment(self):
        single, multi = LIMITS[self.encoding]
        return single if self.segments <= 1 else multi


def is_gsm7(char):
    return char in GSM7_BASIC or char in GSM7_EXTENSION


def measure(text):
    """Measure ``text`` as it will travel."""
    text = text or ""
    if all(is_gsm7(ch) for ch in text):
        encoding = "gsm7"
        length = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
    else:
        encoding = "unicode"
        length = sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)
    single, multi = LIMITS[encoding]
    if length == 0:
        segments = 0
    elif length <= single:
        segments = 1
    else:
        segments = -(-length // multi)
    return TextInfo(encoding, length, segments)


def _invisible(char):
    return (
        char.isspace()
        or char in _INVISIBLE
        or unicodedata.category(char) in ("Cf", "Cc")
    )


def blank(text):
    """True when ``text`` has nothing visible: only spaces, zero-width characters,
    controls."""
    return all(_invisible(ch) for ch in text or "")


def control_chars(text):
    """The distinct characters of ``text`` that cannot be sent, in order of appearance.

    They are control characters other than ``\\n``, ``\\r`` and ``\\t`` (NUL,
    escape, DEL, ...) and lone surrogates (not encodable).
    """
    found = []
    for char in text or "":
        if (
            char not in ALLOWED_CONTROLS
            and unicodedata.category(char) in ("Cc", "Cs")
            and char not in found
        ):
            found.append(char)
    return found


class TextProblem(NamedTuple):
    """What makes a text unsendable (:func:`text_problem`), in a machine form.

    ``code`` is ``"empty"``, ``"control"`` (``chars``: the characters, in order of
    appearance) or ``"too_long"`` (``segments`` parts, at most ``max_segments``).
    In words: :meth:`sentence` here (the gateway client, in English), and
    ``base._aakash_sms_text_problem`` in Odoo, in the user's language.
    """

    code: str
    chars: tuple = ()
    segments: int = 0
    max_segments: int = 0

    @property
    def codes(self):
        """The control characters as code points: ``"U+0000, U+001B"``."""
        return ", ".join(f"U+{ord(char):04X}" for char in self.chars)

    def sentence(self):
        """The problem in English, as a sentence (Odoo words it through its own
        translations, in the same words)."""
        if self.code == "control" and len(self.chars) == 1:
            reason = (
                f"the text contains a control character ({self.codes}) that cannot "
                "be sent: remove it"
            )
        elif self.code == "control":
            reason = (
                f"the text contains control characters ({self.codes}) that cannot "
                "be sent: remove them"
            )
        elif self.code == "too_long":
            reason = (
                f"the text is too long: {self.segments} SMS parts, at most "
                f"{self.max_segments} are allowed"
            )
        else:
            reason = "the text is empty"
        return f"{reason[:1].upper()}{reason[1:]}."


def text_problem(text, segments=None, max_segments=MAX_SEGMENTS):
    """What makes ``text`` unsendable as an SMS, or ``None`` when it can be sent.

    Checked in this order: control characters (:func:`control_chars`, wherever
    they stand: such a text is stored nowhere), nothing visible (:func:`blank`;
    anything but a string too), more parts than ``max_segments`` (``0``: no limit).

    :param segments: the SMS parts to judge the length by, if not ``text``'s own
        (the composer: the longest of the texts rendered for its recipients)
    """
    if not isinstance(text, str):
        return TextProblem("empty")
    bad = control_chars(text)
    if bad:
        return TextProblem("control", tuple(bad))
    if blank(text):
        return TextProblem("empty")
    if segments is None:
        segments = measure(text).segments
    if max_segments and segments > max_segments:
        return TextProblem("too_long", segments=segments, max_segments=max_segments)
    return None


def clean_text(text):
    """``text`` without the characters :func:`control_chars` refuses."""
    bad = set(control_chars(text))
    return "".join(ch for ch in text or "" if ch not in bad)


def _lookalike(char):
    """GSM-7 replacement of one character (``None``: keep it as it is)."""
    if is_gsm7(char):
        return None
    if char in _LOOKALIKES:
        return _LOOKALIKES[char]
    category = unicodedata.category(char)
    if category == "Cf" or char in _INVISIBLE:
        return ""
    if category == "Zs":
        return " "
    decomposed = "".join(
        ch
        for ch in unicodedata.normalize("NFKD", char)
        if unicodedata.category(ch) != "Mn"
    )
    if decomposed and decomposed != char and all(is_gsm7(ch) for ch in decomposed):
        return decomposed
    return None


def gsm_safe(text):
    """``text`` with GSM-7 look-alikes in place of the characters that force Unicode.

    No-break and other Unicode spaces become spaces, curly quotes straight
    quotes, dashes and bullets ``-``, ``…`` three dots, ``₨`` ``Rs``, accented
    letters lose accents GSM-7 lacks; zero-width and other invisible characters
    are removed (zero-width joiners and variation selectors only when the
    result is GSM-7: they shape Devanagari and emoji) and so are control
    characters.  Characters without a look-alike (Devanagari, emoji) are kept.
    The text is returned unchanged when the replacement would take more SMS
    parts (``…`` is one Unicode character but three GSM-7 ones).
    """
    text = clean_text(text)
    out = []
    for char in text:
        replacement = _lookalike(char)
        out.append(char if replacement is None or char in _SHAPING else replacement)
    result = "".join(out)
    if measure(result.translate({ord(ch): None for ch in _SHAPING})).encoding == "gsm7":
        result = result.translate({ord(ch): None for ch in _SHAPING})
    if measure(result).segments > measure(text).segments:
        return text
    return result


def unicode_chars(text):
    """The distinct characters of ``text`` that force Unicode even after
    :func:`gsm_safe`.

    In order of appearance; ``[]`` when ``gsm_safe(text)`` is GSM-7.
    """
    found = []
    for char in text or "":
        # also skips controls and zero-width joiners
        if char in found or _lookalike(char) is not None:
            continue
        if not is_gsm7(char) and unicodedata.category(char) not in ("Cc", "Cs"):
            found.append(char)
    return found


def unicode_words(text):
    """The distinct words of ``text`` that force Unicode even after :func:`gsm_safe`.

    Whole words (split on spaces), in order of appearance: a Devanagari vowel sign
    or virama is shown on its letter ("नमस्ते", not "न म स ् त े"), an emoji with
    what it is attached to.
    """
    forcing = set(unicode_chars(text))
    words = []
    for word in (text or "").split():
        if word not in words and any(char in forcing for char in word):
            words.append(word)
    return words


def lookalikes_replaced(text):
    """The ``(character, replacement)`` pairs :func:`gsm_safe` applies to ``text``.

    Distinct, in order of appearance; ``[]`` when it keeps the text as it is.
    """
    if gsm_safe(text) == clean_text(text):
        return []
    pairs = []
    for char in text or "":
        replacement = _lookalike(char)
        if (
            replacement is not None
            and char not in _SHAPING
            and (char, replacement) not in pairs
        ):
            pairs.append((char, replacement))
    return pairs
