from odoo import fields, models
from odoo.exceptions import UserError

# Aakash report status (lower case) -> provider error understood by
# sms.tracker._action_update_from_provider_error (failure type 'sms_<error>')
REPORT_STATUS_TO_PROVIDER_ERROR = {
    "expired": "expired",
    "rejected": "rejected",
}


class AakashSmsMessage(models.Model):
    """Link log rows to Odoo's native SMS (sent through the native bridge)."""

    _inherit = "aakash.sms.message"

    sms_uuid = fields.Char("Odoo SMS UUID", index="btree_not_null", readonly=True, copy=False,
                           help="Set when Odoo's own SMS features sent this message through Aakash.")

    def _on_report_update(self):
        result = super()._on_report_update()
        self._aakash_update_native_trackers()
        return result

    def _aakash_update_native_trackers(self):
        """Tell Odoo's SMS trackers what Aakash's delivery report says.

        For the rows of ``self`` sent by Odoo's own SMS features (``sms_uuid``
        set): ``delivered`` makes the native notification / SMS marketing trace
        "Delivered", ``undelivered`` makes it an error ("Not Delivered",
        "Expired" or "Rejected" after Aakash's status, with that status as the
        reason).  Other rows are ignored.  Call it with the rows whose state a
        report changed; calling it twice is harmless.

        :return: the ``sms.tracker`` records updated
        """
        native = self.filtered(lambda m: m.sms_uuid and m.state in ("delivered", "undelivered"))
        if not native:
            return self.env["sms.tracker"]
        trackers = self.env["sms.tracker"].sudo().search([("sms_uuid", "in", native.mapped("sms_uuid"))])
        by_uuid = {tracker.sms_uuid: tracker for tracker in trackers}
        updated = self.env["sms.tracker"].sudo()
        for message in native:
            tracker = by_uuid.get(message.sms_uuid)
            if not tracker:
                continue
            if message.state == "delivered":
                tracker._action_update_from_sms_state("sent")
            else:
                status = (message.gateway_status or "").strip().lower()
                tracker.with_context(sms_known_failure_reason=message.gateway_status or False)\
                    ._action_update_from_provider_error(REPORT_STATUS_TO_PROVIDER_ERROR.get(status, "not_delivered"))
            updated |= tracker
        # as Odoo's own delivery report route does: a reported SMS is done
        self.env["sms.sms"].sudo().search([
            ("uuid", "in", native.mapped("sms_uuid")), ("to_delete", "=", False),
        ]).to_delete = True
        return updated

    def action_resend(self):
        """Rows sent by Odoo's own SMS features are resent from Odoo, not from here.

        Resending them here too would give the same SMS two ways to be sent again.
        """
        native = self.filtered("sms_uuid")
        if native and native == self:
            raise UserError(self.env._(
                "These SMS were sent by Odoo's own SMS features: resend them from Odoo's SMS list "
                "(Settings > Technical > Phone / SMS > SMS, action Resend)."))
        return super(AakashSmsMessage, self - native).action_resend()
