"""Plain-Python pieces of the Aakash SMS addon: gateway client and sandbox.

Nothing in this package imports Odoo, so it can be used and tested alone.
"""

from . import errors
from .client import (
    FAILED,
    QUEUED,
    REJECTED,
    UNCERTAIN,
    AakashClient,
    Credit,
    RecipientResult,
    ReportEntry,
    ReportPage,
)
from .numbers import (
    NETWORKS,
    NumberCheck,
    check_number,
    normalize_number,
    split_numbers,
)
from .text import (
    TextInfo,
    blank,
    clean_text,
    control_chars,
    gsm_safe,
    measure,
    unicode_chars,
)
