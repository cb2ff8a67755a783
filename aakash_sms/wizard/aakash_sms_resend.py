from odoo import api, fields, models

from ..const import RESENDABLE_STATES


class AakashSmsResend(models.TransientModel):
    """Resend rejected and failed SMS of the log, through their provider or another."""

    _name = "aakash.sms.resend"
    _description = "Resend SMS through Aakash"

    message_ids = fields.Many2many("aakash.sms.message", string="SMS", readonly=True)
    message_count = fields.Integer("SMS Selected", compute="_compute_counts")
    resendable_count = fields.Integer("SMS to Resend", compute="_compute_counts")
    company_ids = fields.Many2many("res.company", compute="_compute_counts")
    provider_id = fields.Many2one(
        "aakash.sms.provider",
        "Resend Through",
        domain="[('company_id', 'in', company_ids)]",
        help="Leave empty to resend each SMS through its own provider.",
    )

    @api.model
    def default_get(self, fields_list):
        result = super().default_get(fields_list)
        if self.env.context.get("active_model") == "aakash.sms.message":
            result["message_ids"] = [(6, 0, self.env.context.get("active_ids") or [])]
        return result

    @api.depends("message_ids")
    def _compute_counts(self):
        for wizard in self:
            messages = wizard.message_ids
            wizard.message_count = len(messages)
            wizard.resendable_count = len(
                messages.filtered(
                    lambda m: m.state in RESENDABLE_STATES
                    and not m.resend_id
                    and not m.sms_uuid
                )
            )
            wizard.company_ids = messages.company_id

    def action_resend(self):
        self.ensure_one()
        messages = self.message_ids.with_context(
            aakash_sms_resend_provider_id=self.provider_id.id
        )
        return messages.action_resend()
