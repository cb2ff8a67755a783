from odoo import fields, models

from .sms_api import SmsApiAakash


class ResCompany(models.Model):
    _inherit = "res.company"

    aakash_sms_native = fields.Boolean(
        "Send Odoo's SMS through Aakash",
        help="Route every SMS Odoo sends (SMS composer, templates, marketing, server actions...) "
        "through the company's default Aakash SMS provider.",
    )
    aakash_sms_invoice_confirm = fields.Boolean("Text Customers on Invoice Confirmation")
    aakash_sms_invoice_template_id = fields.Many2one(
        "sms.template", "Invoice Confirmation SMS Template",
        domain="[('model', '=', 'account.move')]",
        help="Empty means the English template shipped with the module.",
    )

    def _aakash_sms_invoice_template(self):
        self.ensure_one()
        return self.aakash_sms_invoice_template_id or self.env.ref(
            "aakash_sms.sms_template_invoice_confirmed", raise_if_not_found=False
        )

    def _get_sms_api_class(self):
        self.ensure_one()
        if self.aakash_sms_native:
            return SmsApiAakash
        return super()._get_sms_api_class()

    def write(self, vals):
        # Aakash and Twilio (sms_twilio's ``sms_provider``) are exclusive:
        # the one turned on last wins, so both are never active at once.
        if vals.get("aakash_sms_native") and "sms_provider" in self._fields:
            vals = dict(vals, sms_provider="iap")
        elif vals.get("sms_provider") and vals["sms_provider"] != "iap":
            vals = dict(vals, aakash_sms_native=False)
        return super().write(vals)
