from odoo import api, fields, models

from .aakash_sms_reminder_step import DEFAULT_REMINDER_DAYS


class ResCompany(models.Model):
    _inherit = "res.company"

    aakash_sms_invoice_confirm = fields.Boolean(
        "Text Customers on Invoice Confirmation"
    )
    aakash_sms_invoice_template_id = fields.Many2one(
        "sms.template",
        "Invoice Confirmation SMS Template",
        domain="[('model', '=', 'account.move')]",
        help="Rendered in each customer's language. Empty means the template "
        "shipped with the module.",
    )
    aakash_sms_reminder_step_ids = fields.One2many(
        "aakash.sms.reminder.step", "company_id", "SMS Payment Reminder Steps"
    )
    aakash_sms_payment_receipt = fields.Boolean(
        "Text Customers When an Invoice Is Paid"
    )
    aakash_sms_payment_template_id = fields.Many2one(
        "sms.template",
        "Payment Received SMS Template",
        domain="[('model', '=', 'account.move')]",
        help="Rendered in each customer's language. Empty means the template "
        "shipped with the module.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._aakash_sms_default_reminder_steps()
        return companies

    def _aakash_sms_default_reminder_steps(self):
        """Give the companies of ``self`` without reminder steps the default ones
        (3, 10 and 30 days after the due date, on)."""
        # the defaults are the module's, whoever creates the company
        steps_sudo = self.env["aakash.sms.reminder.step"].sudo()
        have = set(steps_sudo.search([("company_id", "in", self.ids)]).company_id.ids)
        steps_sudo.create(
            [
                {"company_id": company.id, "days": days}
                for company in self
                if company.id not in have
                for days in DEFAULT_REMINDER_DAYS
            ]
        )

    def _aakash_sms_invoice_template(self):
        self.ensure_one()
        return self.aakash_sms_invoice_template_id or self.env.ref(
            "aakash_sms_account.sms_template_invoice_confirmed",
            raise_if_not_found=False,
        )

    def _aakash_sms_reminder_template(self):
        """The template of a manual reminder: the first enabled step's."""
        self.ensure_one()
        steps = self.aakash_sms_reminder_step_ids.filtered("enabled")
        if steps:
            return steps[0]._aakash_template()
        return self.env.ref(
            "aakash_sms_account.sms_template_invoice_reminder",
            raise_if_not_found=False,
        )

    def _aakash_sms_payment_template(self):
        self.ensure_one()
        return self.aakash_sms_payment_template_id or self.env.ref(
            "aakash_sms_account.sms_template_payment_received",
            raise_if_not_found=False,
        )
