from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    aakash_sms_invoice_confirm = fields.Boolean(
        related="company_id.aakash_sms_invoice_confirm", readonly=False
    )
    aakash_sms_invoice_template_id = fields.Many2one(
        related="company_id.aakash_sms_invoice_template_id", readonly=False
    )
