"""Plain-Python pieces of the Aakash SMS addon: gateway client, number and text rules.

They import no Odoo; their tests (``tests/`` at the repository root) import them from
``odoo.addons.aakash_sms.tools``. The sandbox gateway they run against is not part of
the addon: it is the development package ``aakash_sms_sandbox`` at the repository root.

The one module here that imports Odoo, ``sms_api.py`` (Aakash as the SMS service of
Odoo's ``sms`` module, where ``sms_twilio`` keeps its own), is imported by the models,
not by this package.
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
    MAX_SEGMENTS,
    TextInfo,
    TextProblem,
    blank,
    clean_text,
    control_chars,
    gsm_safe,
    measure,
    text_problem,
    unicode_chars,
)
