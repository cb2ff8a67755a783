from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    aakash_sms_provider_id = fields.Many2one(
        "aakash.sms.provider",
        "Default Aakash SMS Provider",
        compute="_compute_aakash_sms_provider_id",
    )

    aakash_sms_native = fields.Boolean(
        related="company_id.aakash_sms_native", readonly=False
    )
    aakash_sms_foreign_numbers = fields.Selection(
        related="company_id.aakash_sms_foreign_numbers", readonly=False
    )

    aakash_sms_monthly_budget = fields.Float(
        related="company_id.aakash_sms_monthly_budget", readonly=False
    )
    aakash_sms_quiet_hours = fields.Boolean(
        related="company_id.aakash_sms_quiet_hours", readonly=False
    )
    aakash_sms_window_start = fields.Float(
        related="company_id.aakash_sms_window_start", readonly=False
    )
    aakash_sms_window_end = fields.Float(
        related="company_id.aakash_sms_window_end", readonly=False
    )

    def _compute_aakash_sms_provider_id(self):
        for settings in self:
            settings.aakash_sms_provider_id = self.env[
                "aakash.sms.provider"
            ]._get_default_sudo(settings.company_id)

    def action_open_aakash_sms_providers(self):
        return self.env["ir.actions.act_window"]._for_xml_id(
            "aakash_sms.action_aakash_sms_provider"
        )
