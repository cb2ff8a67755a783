"""``aakash.sms.reminder.step``: when a company texts its overdue customers.

A step is "N days after the due date", on or off, with its template. Every company gets
the three default steps (3, 10 and 30 days) when it is created or when the addon is
installed (``res.company._aakash_sms_default_reminder_steps``).
"""

from odoo import api, fields, models

# the default steps of a company: days after the due date
DEFAULT_REMINDER_DAYS = (3, 10, 30)


class AakashSmsReminderStep(models.Model):
    _name = "aakash.sms.reminder.step"
    _description = "SMS Payment Reminder Step"
    _order = "company_id, days, id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        ondelete="cascade",
    )
    days = fields.Integer(
        "Days After Due Date",
        required=True,
        default=3,
        help="The reminder goes out once the invoice is this many days overdue.",
    )
    enabled = fields.Boolean(
        "Send", default=True, help="Turn this reminder step on or off."
    )
    template_id = fields.Many2one(
        "sms.template",
        domain="[('model', '=', 'account.move')]",
        ondelete="set null",
        help="Rendered in each customer's language. Empty means the payment "
        "reminder template shipped with the module.",
    )

    _days_positive = models.Constraint(
        "CHECK(days >= 0)", "A reminder step is a number of days after the due date."
    )
    _one_step_per_day = models.UniqueIndex(
        "(company_id, days)", "The company already has a reminder step on that day."
    )

    @api.depends("days")
    def _compute_name(self):
        for step in self:
            step.name = self.env._("%s days after the due date", step.days)

    def _aakash_template(self):
        """The step's template, else the shipped reminder template."""
        self.ensure_one()
        return self.template_id or self.env.ref(
            "aakash_sms_account.sms_template_invoice_reminder",
            raise_if_not_found=False,
        )
