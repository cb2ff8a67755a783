from odoo import fields, models

from ..tools.sms_api import SmsApiAakash
from ..tools.window import DEFAULT_TZ, window_opening


class ResCompany(models.Model):
    _inherit = "res.company"

    aakash_sms_native = fields.Boolean(
        "Send Odoo's SMS through Aakash",
        help="Route every SMS Odoo sends (SMS composer, templates, marketing, server "
        "actions...) through the company's default Aakash SMS provider.",
    )

    aakash_sms_quiet_hours = fields.Boolean(
        "Sending Hours",
        help="Bulk sends, server actions and Odoo's SMS marketing wait for the "
        "window to open; a text to one recipient and an invoice's SMS go out at any "
        "hour.",
    )
    aakash_sms_window_start = fields.Float("Sending Hours From", default=8.0)
    aakash_sms_window_end = fields.Float("Sending Hours To", default=20.0)

    def _aakash_window_openings(self, now):
        """``{company id: when its window opens}`` for the companies of ``self``
        with sending hours whose window is closed at ``now`` (naive UTC), in the
        company's time zone (its address's, else Kathmandu's)."""
        openings = {}
        for company in self.filtered("aakash_sms_quiet_hours"):
            opening = window_opening(
                now,
                company.aakash_sms_window_start,
                company.aakash_sms_window_end,
                company.partner_id.tz or DEFAULT_TZ,
            )
            if opening:
                openings[company.id] = opening
        return openings

    def _get_sms_api_class(self):
        self.ensure_one()
        if self.aakash_sms_native:
            return SmsApiAakash
        return super()._get_sms_api_class()
