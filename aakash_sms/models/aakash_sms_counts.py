"""Smart buttons: how many SMS a customer or an invoice got, opening the filtered log."""

from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    aakash_sms_count = fields.Integer(
        "SMS",
        compute="_compute_aakash_sms_count",
        groups="aakash_sms.group_aakash_sms_user",
        help="SMS sent through Aakash to this contact, from any document.",
    )

    def _compute_aakash_sms_count(self):
        counts = dict(
            self.env["aakash.sms.message"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.aakash_sms_count = counts.get(partner, 0)

    def action_aakash_sms_view_messages(self):
        self.ensure_one()
        return self._aakash_sms_log_action(
            [("partner_id", "=", self.id)], self.env._("SMS to %s", self.display_name)
        )


class AccountMove(models.Model):
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "account.move"

    aakash_sms_count = fields.Integer(
        "SMS",
        compute="_compute_aakash_sms_count",
        groups="aakash_sms.group_aakash_sms_user",
        help="SMS sent through Aakash about this document.",
    )

    def _compute_aakash_sms_count(self):
        counts = dict(
            self.env["aakash.sms.message"]._read_group(
                [("res_model", "=", "account.move"), ("res_id", "in", self.ids)],
                ["res_id"],
                ["__count"],
            )
        )
        for move in self:
            move.aakash_sms_count = counts.get(move.id, 0)

    def action_aakash_sms_view_messages(self):
        self.ensure_one()
        return self._aakash_sms_log_action(
            [("res_model", "=", "account.move"), ("res_id", "=", self.id)],
            self.env._("SMS about %s", self.display_name),
        )
