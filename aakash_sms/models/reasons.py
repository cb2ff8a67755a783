"""The reasons the addon writes on log rows: one table, stored as codes, translated
when shown.

A row keeps the reason in the writer's language (``reason``) and, for the reasons of
this table, its code and values (``reason_code``, ``reason_values``): the log shows it
in the reader's language (``reason_shown``). The gateway's own words have no code.
"""

from odoo.tools import LazyTranslate

_lt = LazyTranslate(__name__)


# Refusals decided before sending (by the send paths, the queue, a resend): the one
# place of their texts, translated when shown (``_aakash_refusal_reason``)
REFUSAL_REASONS = {
    "no_provider": _lt("No Aakash SMS provider is configured for %(company)s."),
    "opted_out": _lt("opted out (the number is on the SMS blacklist)"),
    "duplicate": _lt("duplicate: this text goes to this number once in this send"),
    "other_company": _lt("the provider %(provider)s belongs to another company"),
    "archived_default": _lt(
        "No Aakash SMS provider is configured for %(company)s: its default "
        "provider %(provider)s is archived (make another provider the default)"
    ),
    # decided by the queue, at sending
    "no_provider_set": _lt("No active Aakash SMS provider is set on this SMS."),
    "provider_archived": _lt(
        "The Aakash SMS provider %s was archived before this SMS left: "
        "nothing was sent."
    ),
    "provider_other_company": _lt(
        "Refused: the provider belongs to another company than the SMS."
    ),
    # left out of a resend
    "resent_copy": _lt("its text was already sent to this number in the same send"),
    "number_not_corrected": _lt("Aakash refused this number and it was not corrected"),
    # the number (base._aakash_sms_refusal, by NumberCheck.code)
    "number_empty": _lt("no number"),
    "number_country": _lt("not a Nepali number (the country code is not +977)"),
    "number_characters": _lt("contains characters other than digits"),
    "number_length": _lt("a Nepali mobile number has 10 digits"),
    "number_landline": _lt("landline: SMS needs a mobile number"),
    "number_prefix": _lt("%s is not a Nepali mobile prefix"),
    # the text (base._aakash_sms_text_refusal, by TextProblem.code)
    "text_control": _lt(
        "the text contains a control character (%s) that cannot be sent: remove it"
    ),
    "text_controls": _lt(
        "the text contains control characters (%s) that cannot be sent: remove them"
    ),
    "text_too_long": _lt(
        "the text is too long: %(parts)s SMS parts, at most %(max)s are allowed"
    ),
    "text_empty": _lt("the text is empty"),
    "template": _lt("the SMS template could not be rendered (%s)"),
    # a row left 'sending' by a worker that died
    "interrupted": _lt(
        "May have been sent: the sending was interrupted after the request "
        "left. Check the Aakash report before sending it again."
    ),
}


class CodedReason(str):
    """A reason in the writer's language that keeps its :data:`REFUSAL_REASONS` code
    and values: the row stores them (``reason_code``, ``reason_values``) and the log
    shows the reason in the reader's language (``reason_shown``)."""

    def __new__(cls, text, code, values):
        reason = super().__new__(cls, text)
        reason.code = code
        reason.values = values
        return reason


def reason_vals(vals):
    """``vals`` with the code and values of a :class:`CodedReason` it writes."""
    if "reason" not in vals:
        return vals
    reason = vals["reason"]
    coded = isinstance(reason, CodedReason)
    return dict(
        vals,
        reason_code=reason.code if coded else False,
        reason_values=reason.values if coded else False,
    )
