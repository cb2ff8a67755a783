from odoo import api, fields, models

from .aakash_sms_reminder import OPEN_PAYMENT_STATES


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    aakash_sms_invoice_confirm = fields.Boolean(
        related="company_id.aakash_sms_invoice_confirm", readonly=False
    )
    aakash_sms_invoice_template_id = fields.Many2one(
        related="company_id.aakash_sms_invoice_template_id", readonly=False
    )
    aakash_sms_payment_receipt = fields.Boolean(
        related="company_id.aakash_sms_payment_receipt", readonly=False
    )
    aakash_sms_payment_template_id = fields.Many2one(
        related="company_id.aakash_sms_payment_template_id", readonly=False
    )
    aakash_sms_reminder_steps = fields.Char(
        "Reminder Steps", compute="_compute_aakash_sms_reminder_steps"
    )
    aakash_sms_invoice_preview = fields.Text(
        "Invoice SMS Preview", compute="_compute_aakash_sms_previews"
    )
    aakash_sms_reminder_preview = fields.Text(
        "Reminder SMS Preview", compute="_compute_aakash_sms_previews"
    )
    aakash_sms_payment_preview = fields.Text(
        "Payment SMS Preview", compute="_compute_aakash_sms_previews"
    )

    @api.depends("company_id")
    def _compute_aakash_sms_reminder_steps(self):
        for settings in self:
            steps = settings.company_id.aakash_sms_reminder_step_ids.filtered("enabled")
            settings.aakash_sms_reminder_steps = (
                ", ".join(steps.mapped("name")) if steps else self.env._("none on")
            )

    @api.depends(
        "company_id",
        "aakash_sms_invoice_template_id",
        "aakash_sms_payment_template_id",
    )
    def _compute_aakash_sms_previews(self):
        """Each template rendered on the company's latest customer invoice, in
        every active language (each customer gets their own)."""
        for settings in self:
            company = settings.company_id
            invoice = self.env["account.move"].search(
                [
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("company_id", "=", company.id),
                ],
                order="id desc",
                limit=1,
            )
            templates = {
                "aakash_sms_invoice_preview": settings.aakash_sms_invoice_template_id
                or company._aakash_sms_invoice_template(),
                "aakash_sms_reminder_preview": company._aakash_sms_reminder_template(),
                "aakash_sms_payment_preview": settings.aakash_sms_payment_template_id
                or company._aakash_sms_payment_template(),
            }
            # a reminder is about an overdue invoice: previewed on one when there is
            # one (its days overdue, not "0 days")
            overdue = self.env["account.move"].search(
                [
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("company_id", "=", company.id),
                    ("payment_state", "in", OPEN_PAYMENT_STATES),
                    ("invoice_date_due", "<", fields.Date.context_today(self)),
                ],
                order="id desc",
                limit=1,
            )
            for fname, template in templates.items():
                if fname == "aakash_sms_reminder_preview" and invoice and not overdue:
                    settings[fname] = self.env._(
                        "No overdue customer invoice to preview a reminder on yet."
                    )
                    continue
                settings[fname] = settings._aakash_sms_preview(
                    template,
                    overdue if fname == "aakash_sms_reminder_preview" else invoice,
                )

    def _aakash_sms_preview(self, template, invoice):
        if not invoice:
            return self.env._("No confirmed customer invoice to preview yet.")
        if not template:
            return False
        lines = []
        for code, name in self.env["res.lang"].get_installed():
            bodies, problem = self.env["aakash.sms.message"]._aakash_render(
                lambda recs, code=code: template._render_field(
                    "body", recs.ids, set_lang=code
                ),
                invoice,
            )
            lines.append(f"{name}: {problem or bodies[invoice.id]}")
        return "\n".join(lines)

    def action_aakash_sms_edit_template(self):
        """Open the template named by the button's context, to edit it."""
        self.ensure_one()
        company = self.company_id
        kind = self.env.context.get("aakash_sms_template")
        template = {
            "invoice": company._aakash_sms_invoice_template,
            "reminder": company._aakash_sms_reminder_template,
            "payment": company._aakash_sms_payment_template,
        }[kind]()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sms.template",
            "res_id": template.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_aakash_sms_reminder_steps(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aakash_sms_account.action_aakash_sms_reminder_step"
        )
        action["domain"] = [("company_id", "=", self.company_id.id)]
        action["context"] = {"default_company_id": self.company_id.id}
        return action
