from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    aakash_sms_provider_id = fields.Many2one(
        "aakash.sms.provider", "Default Aakash SMS Provider", compute="_compute_aakash_sms_provider_id"
    )

    aakash_sms_native = fields.Boolean(related="company_id.aakash_sms_native", readonly=False)
    aakash_sms_invoice_confirm = fields.Boolean(
        related="company_id.aakash_sms_invoice_confirm", readonly=False
    )
    aakash_sms_invoice_template_id = fields.Many2one(
        related="company_id.aakash_sms_invoice_template_id", readonly=False
    )

    @api.model_create_multi
    def create(self, vals_list):
        # Aakash and Twilio (sms_twilio's sms_provider) are exclusive, and
        # res.company.write sees the two related fields one at a time: when one
        # save turns Aakash on and picks Twilio, Aakash wins; when Aakash was
        # already on, picking Twilio is the new choice.
        for vals in vals_list:
            if vals.get("aakash_sms_native") and vals.get("sms_provider") not in (None, "iap"):
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                if company.aakash_sms_native:
                    vals["aakash_sms_native"] = False
                else:
                    vals["sms_provider"] = "iap"
        return super().create(vals_list)

    def _compute_aakash_sms_provider_id(self):
        for settings in self:
            settings.aakash_sms_provider_id = self.env["aakash.sms.provider"]._get_default(settings.company_id)

    def action_open_aakash_sms_providers(self):
        return self.env["ir.actions.act_window"]._for_xml_id("aakash_sms.action_aakash_sms_provider")
