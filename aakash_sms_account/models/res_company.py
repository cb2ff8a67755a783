from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    aakash_sms_invoice_confirm = fields.Boolean(
        "Text Customers on Invoice Confirmation"
    )
    aakash_sms_invoice_template_id = fields.Many2one(
        "sms.template",
        "Invoice Confirmation SMS Template",
        domain="[('model', '=', 'account.move')]",
        help="Empty means the English template shipped with the module.",
    )

    def _aakash_sms_invoice_template(self):
        self.ensure_one()
        return self.aakash_sms_invoice_template_id or self.env.ref(
            "aakash_sms_account.sms_template_invoice_confirmed",
            raise_if_not_found=False,
        )
