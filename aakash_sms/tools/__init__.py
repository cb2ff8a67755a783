"""Plain-Python pieces of the Aakash SMS addon: gateway client and sandbox.

Nothing in this package imports Odoo, so it can be used and tested alone.
"""
from . import errors
from .client import AakashClient, Credit, RecipientResult, ReportEntry, ReportPage
from .numbers import NumberCheck, check_number, normalize_number, split_numbers
from .text import TextInfo, measure
