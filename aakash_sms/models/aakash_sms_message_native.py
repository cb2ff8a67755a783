from odoo import fields, models


class AakashSmsMessage(models.Model):
    """Link log rows to Odoo's native SMS (sent through the native bridge)."""

    _inherit = "aakash.sms.message"

    sms_uuid = fields.Char("Odoo SMS UUID", index="btree_not_null", readonly=True,
                           help="Set when Odoo's own SMS features sent this message through Aakash.")

    def _on_report_update(self):
        """Tell Odoo's SMS trackers what Aakash's delivery report says."""
        result = super()._on_report_update()
        native = self.filtered("sms_uuid")
        if native:
            trackers = self.env["sms.tracker"].sudo().search([("sms_uuid", "in", native.mapped("sms_uuid"))])
            by_uuid = {tracker.sms_uuid: tracker for tracker in trackers}
            for message in native:
                tracker = by_uuid.get(message.sms_uuid)
                if not tracker:
                    continue
                if message.state == "delivered":
                    tracker._action_update_from_sms_state("sent")
                elif message.state == "undelivered":
                    tracker.with_context(sms_known_failure_reason=message.gateway_status)\
                        ._action_update_from_provider_error("not_delivered")
        return result
