from odoo import fields, models

from ..tools.sms_api import SmsApiAakash


class ResCompany(models.Model):
    _inherit = "res.company"

    aakash_sms_native = fields.Boolean(
        "Send Odoo's SMS through Aakash",
        help="Route every SMS Odoo sends (SMS composer, templates, marketing, server "
        "actions...) through the company's default Aakash SMS provider.",
    )

    def _get_sms_api_class(self):
        self.ensure_one()
        if self.aakash_sms_native:
            return SmsApiAakash
        return super()._get_sms_api_class()
