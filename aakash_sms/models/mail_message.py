from odoo import models


class MailMessage(models.Model):
    _inherit = "mail.message"

    def _notify_message_notification_update(self):
        """Odoo's SMS queued with Aakash tell the web client of the messages whose
        notifications changed only.

        Odoo's ``sms.sms._send_with_api`` sends a live update for the message of every
        SMS of a batch; a mass send's notes have no notification to show, and each
        update is a payload per note and listener: most of the bridge's cost in a
        large send.
        """
        messages = self
        if self.env.context.get("aakash_sms_bridge"):
            messages = self.filtered("notification_ids")
        return super(MailMessage, messages)._notify_message_notification_update()
