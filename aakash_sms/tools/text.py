"""SMS text measurement: GSM-7 or Unicode, segments and credits (no Odoo import).

Rule (as mobile networks apply it, and as Aakash bills it, one credit per part):
- a text made only of GSM 03.38 characters is GSM-7: 160 characters fit one
  SMS, longer texts are split in parts of 153; characters of the extension
  table (``^ { } \\ [ ~ ] | €`` and form feed) count twice;
- any other character (Devanagari, emoji, ...) makes the whole text Unicode
  (UCS-2): 70 characters fit one SMS, longer texts are split in parts of 67;
  characters outside the BMP (most emoji) count twice.
"""
from typing import NamedTuple

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")
LIMITS = {"gsm7": (160, 153), "unicode": (70, 67)}


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


def measure(text):
    """Measure ``text`` as it will travel."""
    text = text or ""
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
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
