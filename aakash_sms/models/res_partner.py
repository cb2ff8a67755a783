"""The "SMS" smart button of contacts: the count and the log are the ``base`` model's.

``_compute_aakash_sms_count`` and ``_aakash_sms_open_log`` (models/models.py) work for
any model; a model with the button only declares the field and the button's method
(aakash_sms_account does the same for invoices).
"""

from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    aakash_sms_count = fields.Integer(
        "SMS",
        compute="_compute_aakash_sms_count",
        groups="aakash_sms.group_aakash_sms_user",
        help="SMS sent through Aakash to this contact, from any document.",
    )

    def action_aakash_sms_view_messages(self):
        return self._aakash_sms_open_log()
