"""What people see of outcomes: chatter notes on documents and notifications.

The engine and the front doors decide and record outcomes (``aakash_sms_engine.py``,
``aakash_sms_message.py``); this file only shows them. The note is rendered from the
QWeb template ``aakash_sms.message_sms_outcomes``
(``data/aakash_sms_chatter_templates.xml``).
"""

from collections import defaultdict

from odoo import models


class AakashSmsMessage(models.Model):
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "aakash.sms.message"

    # ------------------------------------------------------------------
    # Chatter: one note per document and send
    # ------------------------------------------------------------------
    def _post_results(self, messages=None):
        """One chatter note per document listing its recipients' outcomes, in batch.

        Rows of Odoo's own SMS (``sms_uuid``) get none: Odoo's message shows them.
        The note is authored by the user who sent.
        """
        rows = (self if messages is None else messages).filtered(
            lambda m: not m.sms_uuid
        )
        if not rows:
            return
        rows.partner_id.mapped("display_name")  # prefetch once for all notes
        labels = {
            "states": dict(self._fields["state"]._description_selection(self.env)),
            "credits": self.env._("%s credits"),
            "credit": self.env._("1 credit"),
            "no_number": self.env._("no number"),
        }
        by_key = defaultdict(lambda: defaultdict(list))
        for message in rows:
            if message.res_model and message.res_id:
                by_key[message.res_model, message.user_id][message.res_id].append(
                    message.id
                )
        for (model, user), by_record in by_key.items():
            Model = self.env[model]
            if not hasattr(Model, "_message_log_batch"):
                continue
            # the note is the engine's record of what happened: written whatever the
            # sender may edit
            records_sudo = Model.sudo().browse(list(by_record)).exists()
            group = {
                res_id: rows.browse(ids).with_prefetch(rows._prefetch_ids)
                for res_id, ids in by_record.items()
            }
            bodies = {
                record.id: group[record.id]._format_chatter_note(labels)
                for record in records_sudo
            }
            notes = records_sudo._message_log_batch(
                bodies=bodies, author_id=user.partner_id.id or False, partner_ids=False
            )
            for note in notes:
                # the engine's bookkeeping: rows are never written by users
                rows_sudo = group[note.res_id].sudo()
                rows_sudo.mail_message_id = note

    def _format_chatter_note(self, labels):
        """The note of the rows ``self`` (one document's recipients of one send), from
        the QWeb template ``aakash_sms.message_sms_outcomes``."""
        lines = []
        for message in self:
            details = [labels["states"][message.state]]
            if message.network:
                details.append(message.network)
            if message.state in ("queued", "delivered") and message.credits:
                details.append(
                    labels["credit"]
                    if message.credits == 1
                    else labels["credits"] % message.credits
                )
            if message.reason:
                details.append(message.reason)
            lines.append(
                {
                    "id": message.id,
                    "number": message.number
                    or message.number_raw
                    or labels["no_number"],
                    "partner": message.partner_id.display_name or "",
                    "details": ", ".join(details),
                }
            )
        text = self[:1].body or ""
        if len(text) > 160:
            text = text[:159] + "…"
        return self.env["ir.qweb"]._render(
            "aakash_sms.message_sms_outcomes",
            {"text": text, "lines": lines},
            minimal_qcontext=True,
        )

    # ------------------------------------------------------------------
    # Notifications: the outcome of a send, for the user who sent it
    # ------------------------------------------------------------------
    def _action_notify_outcome(self):
        """A notification summarising the outcome of ``self``."""
        states = dict(self._fields["state"]._description_selection(self.env))
        counts = defaultdict(int)
        problems = 0
        reasons = set()
        for chunk in self._aakash_read_chunks():
            for message in chunk:
                counts[message.state] += 1
                if message.state not in ("queued", "delivered", "pending", "sending"):
                    problems += 1
                    reasons.add(message.reason)
        summary = "\n".join(
            f"{states[state]}: {count}" for state, count in counts.items()
        )
        reasons = sorted(reasons - {False})
        if problems:
            title = self.env._("SMS: some recipients were not reached")
        elif counts.get("pending") or counts.get("sending"):
            title = self.env._("SMS queued: you will be notified when they are sent")
        else:
            title = self.env._("SMS sent")
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": summary
                + (
                    ("\n" + "\n".join(f"- {r}" for r in reasons[:5])) if reasons else ""
                ),
                "type": "success" if not problems else "warning",
                "sticky": bool(problems),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
