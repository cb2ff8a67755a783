"""Nepali dates and numbers in every text Odoo renders from a template: SMS templates,
the send wizard's texts, server actions (inline ``{{ }}`` and QWeb alike).

The one place the helpers enter the rendering context (``_render_eval_context``,
which every rendering engine of ``mail.render.mixin`` reads); their rules are
:mod:`..tools.nepali_dates`.
"""

from odoo import api, models, tools
from odoo.exceptions import UserError

from ..tools import nepali_dates


class AakashSmsRenderError(UserError):
    """A helper's error, worded for the user: shown as it is, not as Odoo's generic
    "Failed to render template"."""


class MailRenderMixin(models.AbstractModel):
    _inherit = "mail.render.mixin"

    @api.model
    def _render_eval_context(self):
        render_context = super()._render_eval_context()
        render_context.update(self._aakash_sms_render_helpers())
        return render_context

    @api.model
    def _render_template(self, template_src, model, res_ids, *args, **kwargs):
        try:
            return super()._render_template(
                template_src, model, res_ids, *args, **kwargs
            )
        except UserError as exc:
            # Odoo words any error of a template as "Failed to render ... <source>":
            # the helpers' own reason is clearer
            if isinstance(exc.__cause__, AakashSmsRenderError):
                raise exc.__cause__ from None
            raise

    @api.model
    def _aakash_sms_render_helpers(self):
        """The helpers templates call, by name (documented in the README)."""

        def format_bs_date(value, lang="en"):
            try:
                return nepali_dates.format_bs_date(value, lang)
            except nepali_dates.BsDateError as exc:
                raise AakashSmsRenderError(self._aakash_sms_bs_date_error(exc)) from exc

        def format_npr(amount, lang="en", currency=None):
            if currency and currency.name != "NPR":
                # another currency: Odoo's format, in Devanagari digits for Nepali
                text = tools.format_amount(self.env, amount, currency)
                return (
                    nepali_dates.ne_digits(text)
                    if nepali_dates.is_nepali(lang)
                    else text
                )
            return nepali_dates.format_npr(amount, lang)

        return {
            "format_bs_date": format_bs_date,
            "ne_digits": nepali_dates.ne_digits,
            "format_npr": format_npr,
        }

    @api.model
    def _aakash_sms_bs_date_error(self, error):
        """Why a date cannot be written in Bikram Sambat, in the user's language."""
        if error.code == "missing":
            return self.env._(
                "Dates in Bikram Sambat (format_bs_date) need the Python library "
                "%(library)s, which is not installed on this Odoo server: ask your "
                "administrator to install it (pip install %(library)s) and restart "
                "Odoo.",
                library=nepali_dates.LIBRARY,
            )
        if error.code == "range":
            return self.env._(
                "The date %(date)s cannot be written in Bikram Sambat: the calendar "
                "covers %(first)s to %(last)s.",
                date=error.value,
                first=error.first,
                last=error.last,
            )
        return self.env._(
            "format_bs_date needs a date, not %(value)r.", value=error.value
        )
