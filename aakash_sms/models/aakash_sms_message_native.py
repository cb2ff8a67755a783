"""Log rows of Odoo's own SMS (``sms.sms``) sent through Aakash, and their way back.

The bridge (``tools/sms_api.py``) only creates rows; the engine sends them; here the
final state of a row is written back onto Odoo's SMS, its notification and its
marketing trace, after the table in ``const.py``.
"""

from collections import defaultdict

from odoo import fields, models

from ..const import OUTCOMES, SUCCESS_STATES
from ..tools.sms_api import SmsApiAakash

# Aakash report status (lower case) -> provider error understood by
# sms.tracker._action_update_from_provider_error (failure type 'sms_<error>')
REPORT_STATUS_TO_PROVIDER_ERROR = {
    "expired": "expired",
    "rejected": "rejected",
}


class AakashSmsMessage(models.Model):
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "aakash.sms.message"

    sms_uuid = fields.Char(
        "Odoo SMS UUID",
        index="btree_not_null",
        readonly=True,
        copy=False,
        help="Set when Odoo's own SMS features sent this message through Aakash.",
    )

    # One live row per Odoo SMS: a uuid is sent at most once, whoever asks again.  Only
    # rows provably never sent (rejected, failed) leave room for another attempt.
    _one_live_row_per_sms = models.UniqueIndex(
        "(sms_uuid) WHERE sms_uuid IS NOT NULL AND state NOT IN ('rejected', 'failed')",
        "This Odoo SMS is already being sent through Aakash.",
    )

    def _aakash_provider_state(self):
        """``(provider state, failure reason)`` of this row for
        ``sms.sms._send_with_api``."""
        self.ensure_one()
        if self.state in ("pending", "sending"):
            return "processing", False
        if self.state in SUCCESS_STATES and self.state != "undelivered":
            return SUCCESS_STATES[self.state], False
        kind = self.error_kind if self.error_kind in OUTCOMES else "maybe_sent"
        return OUTCOMES[kind][2], self.reason or False

    def _aakash_update_native_sms(self):
        """Write the final state of the bridged rows ``self`` onto Odoo's SMS and
        trackers."""
        rows = self.filtered(
            lambda m: m.sms_uuid and m.state not in ("pending", "sending")
        )
        if not rows:
            return
        failure_types = SmsApiAakash.PROVIDER_TO_SMS_FAILURE_TYPE
        # the bridge acts for whoever queued Odoo's SMS: their SMS and trackers are
        # updated as the engine
        uuids = rows.mapped("sms_uuid")
        sms_sudo = self.env["sms.sms"].sudo().search([("uuid", "in", uuids)])
        sms_by_uuid = {sms.uuid: sms for sms in sms_sudo}
        trackers_sudo = (
            self.env["sms.tracker"].sudo().search([("sms_uuid", "in", uuids)])
        )
        tracker_by_uuid = {tracker.sms_uuid: tracker for tracker in trackers_sudo}
        # one update per outcome, as Odoo's _send_with_api does, not one per SMS
        groups = defaultdict(lambda: ([], []))
        for row in rows:
            sms_ids, tracker_ids = groups[row._aakash_provider_state()]
            if row.sms_uuid in sms_by_uuid:
                sms_ids.append(sms_by_uuid[row.sms_uuid].id)
            if row.sms_uuid in tracker_by_uuid:
                tracker_ids.append(tracker_by_uuid[row.sms_uuid].id)
        for (provider_state, reason), (sms_ids, tracker_ids) in groups.items():
            sms, trackers = sms_sudo.browse(sms_ids), trackers_sudo.browse(tracker_ids)
            if provider_state in ("success", "delivered"):
                state = "pending" if provider_state == "success" else "sent"
                trackers._action_update_from_sms_state(state)
                sms.write({"state": state, "failure_type": False, "to_delete": True})
                continue
            failure_type = failure_types.get(provider_state, "unknown")
            if failure_type != "unknown":
                trackers._action_update_from_sms_state(
                    "error", failure_type=failure_type, failure_reason=reason
                )
            else:
                trackers.with_context(
                    sms_known_failure_reason=reason
                )._action_update_from_provider_error(provider_state)
            sms.write(
                {"state": "error", "failure_type": failure_type, "to_delete": False}
            )
        sms_sudo.mail_message_id._notify_message_notification_update()

    def _aakash_update_native_trackers(self):
        """Tell Odoo's SMS trackers what Aakash's delivery report says.

        For the rows of ``self`` sent by Odoo's own SMS features (``sms_uuid``
        set): ``delivered`` makes the native notification / SMS marketing trace
        "Delivered", ``undelivered`` makes it an error ("Not Delivered",
        "Expired" or "Rejected" after Aakash's status, with that status as the
        reason).  Other rows are ignored.  Calling it twice is harmless.

        :return: the ``sms.tracker`` records updated
        """
        native = self.filtered(
            lambda m: m.sms_uuid and m.state in ("delivered", "undelivered")
        )
        if not native:
            return self.env["sms.tracker"]
        # delivery reports come from a cron: it updates whoever's trackers
        uuids = native.mapped("sms_uuid")
        trackers_sudo = (
            self.env["sms.tracker"].sudo().search([("sms_uuid", "in", uuids)])
        )
        by_uuid = {tracker.sms_uuid: tracker for tracker in trackers_sudo}
        updated = trackers_sudo.browse()
        for message in native:
            tracker = by_uuid.get(message.sms_uuid)
            if not tracker:
                continue
            if message.state == "delivered":
                tracker._action_update_from_sms_state("sent")
            else:
                status = (message.gateway_status or "").strip().lower()
                tracker.with_context(
                    sms_known_failure_reason=message.gateway_status or False
                )._action_update_from_provider_error(
                    REPORT_STATUS_TO_PROVIDER_ERROR.get(status, "not_delivered")
                )
            updated |= tracker
        # as Odoo's own delivery report route does: a reported SMS is done
        # whoever's SMS: the report is about them all
        sms_sudo = self.env["sms.sms"].sudo()
        sms_sudo.search(
            [
                ("uuid", "in", native.mapped("sms_uuid")),
                ("to_delete", "=", False),
            ]
        ).to_delete = True
        return updated
