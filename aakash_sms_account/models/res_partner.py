from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    aakash_sms_no_reminders = fields.Boolean(
        "No SMS Reminders",
        help="This customer gets no payment reminders by SMS (their company's "
        "setting counts for its contacts).",
    )
