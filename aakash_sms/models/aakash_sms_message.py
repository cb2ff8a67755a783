import logging
from collections import defaultdict

from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..tools import client as gateway
from ..tools import errors
from ..tools.numbers import check_number

_logger = logging.getLogger(__name__)

STATE_FROM_GATEWAY = {
    gateway.QUEUED: "queued",
    gateway.REJECTED: "rejected",
    gateway.FAILED: "failed",
    gateway.UNCERTAIN: "uncertain",
    gateway.UNKNOWN: "uncertain",
}
RESENDABLE_STATES = ("rejected", "failed")


class AakashSmsMessage(models.Model):
    """One recipient of one send: what was asked, and what the gateway said."""

    _name = "aakash.sms.message"
    _description = "Aakash SMS Message"
    _order = "id desc"
    _rec_name = "number_raw"
    _check_company_auto = True

    res_model = fields.Char("Document Model", index=True, readonly=True)
    res_id = fields.Many2oneReference("Document ID", model_field="res_model", index=True, readonly=True)
    record_ref = fields.Reference(
        selection="_selection_record_ref", compute="_compute_record_ref", string="Document"
    )
    record_name = fields.Char("Document Name", readonly=True)
    partner_id = fields.Many2one("res.partner", "Contact", index="btree_not_null", readonly=True)
    number_raw = fields.Char("Number as Typed", readonly=True)
    number = fields.Char("Number", index=True, readonly=True, help="Normalised 10-digit number sent to Aakash")
    body = fields.Text("Text", required=True, readonly=True)
    provider_id = fields.Many2one("aakash.sms.provider", "Provider", index=True, readonly=True, ondelete="restrict")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True, default=lambda self: self.env.company
    )
    state = fields.Selection(
        [
            ("pending", "Waiting"),
            ("queued", "Queued at Gateway"),
            ("delivered", "Delivered"),
            ("rejected", "Rejected"),
            ("failed", "Failed"),
            ("uncertain", "Uncertain"),
        ],
        default="pending", required=True, index=True, readonly=True,
        help="Queued: accepted by Aakash. Rejected: refused (invalid number...). Failed: never "
        "reached the gateway, safe to resend. Uncertain: the gateway may have it (timeout, "
        "broken reply): never resent on its own, check the Aakash report first.",
    )
    gateway_id = fields.Char("Gateway ID", index="btree_not_null", readonly=True)
    gateway_status = fields.Char(readonly=True)
    network = fields.Char(readonly=True)
    credits = fields.Integer(readonly=True)
    reason = fields.Char(readonly=True)
    user_id = fields.Many2one("res.users", "Sent By", readonly=True, default=lambda self: self.env.user)
    sent_date = fields.Datetime("Sent On", readonly=True)
    mail_message_id = fields.Many2one("mail.message", "Chatter Note", readonly=True, index="btree_not_null")
    resend_id = fields.Many2one("aakash.sms.message", "Resent As", readonly=True)

    @api.model
    def _selection_record_ref(self):
        return [(model.model, model.name) for model in self.env["ir.model"].sudo().search([])]

    @api.depends("res_model", "res_id")
    def _compute_record_ref(self):
        for message in self:
            if message.res_model and message.res_id and message.res_model in self.env:
                message.record_ref = "%s,%s" % (message.res_model, message.res_id)
            else:
                message.record_ref = False

    # ------------------------------------------------------------------
    # Creating and sending
    # ------------------------------------------------------------------
    @api.model
    def _prepare_for_records(self, records, bodies, provider=None, recipients=None):
        """Values of one log row per record of ``records``.

        :param bodies: ``{record.id: text}``
        :param provider: forced provider, else each record's company default
        :param recipients: ``{record.id: (partner, number)}``, default
            :meth:`base._aakash_sms_get_recipients`
        """
        recipients = recipients if recipients is not None else records._aakash_sms_get_recipients()
        has_company = "company_id" in records._fields
        default_by_company = {}
        vals_list = []
        for record in records:
            company = (record.company_id if has_company else False) or self.env.company
            if provider:
                record_provider = provider
            else:
                if company not in default_by_company:
                    default_by_company[company] = self.env["aakash.sms.provider"]._get_default(company)
                record_provider = default_by_company[company]
            partner, raw = recipients.get(record.id) or (self.env["res.partner"], "")
            check = check_number(raw)
            vals = {
                "res_model": records._name,
                "res_id": record.id,
                "record_name": record.display_name,
                "partner_id": partner.id,
                "number_raw": raw or False,
                "number": check.number or False,
                "body": bodies.get(record.id) or "",
                "provider_id": record_provider.id,
                "company_id": (record_provider.company_id or company).id,
            }
            if not check.valid:
                vals.update(state="rejected", reason=check.reason, gateway_status="not sent")
            elif not record_provider:
                vals.update(state="failed", gateway_status="not sent",
                            reason=_("No Aakash SMS provider is configured for %s", company.name))
            vals_list.append(vals)
        return vals_list

    def _send(self, post=True):
        """Send the pending rows of ``self`` (grouped by provider and text).

        Rows are locked first (``FOR UPDATE SKIP LOCKED``) so that two
        workers never send the same row.  Every row ends with an outcome;
        nothing raises for a gateway problem.
        """
        pending = self._lock_pending()
        groups = defaultdict(lambda: self.browse())
        for message in pending:
            groups[message.provider_id, message.body] |= message
        now = fields.Datetime.now()
        for (provider, body), messages in groups.items():
            try:
                client = provider._get_client()
                results = client.send(messages.mapped("number"), body)
            except (errors.AakashError, UserError) as exc:
                reason = exc.message if isinstance(exc, errors.AakashError) else exc.args[0]
                messages.write({"state": "failed", "reason": reason, "gateway_status": "not sent", "sent_date": now})
                continue
            for message, result in zip(messages, results):
                message.write(self._values_from_result(result, now))
        if post:
            self._post_results()
        return True

    def _lock_pending(self):
        if not self.ids:
            return self
        self.flush_recordset(["state"])
        self.env.cr.execute(
            "SELECT id FROM aakash_sms_message WHERE id IN %s AND state = 'pending' "
            "ORDER BY id FOR UPDATE SKIP LOCKED",
            [tuple(self.ids)],
        )
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _values_from_result(self, result, when):
        return {
            "state": STATE_FROM_GATEWAY[result.state],
            "gateway_id": result.message_id or False,
            "gateway_status": result.gateway_status or False,
            "network": result.network or False,
            "credits": result.credits,
            "reason": result.reason or False,
            "sent_date": when,
        }

    # ------------------------------------------------------------------
    # Chatter
    # ------------------------------------------------------------------
    def _post_results(self):
        """One chatter note per document listing its recipients' outcomes."""
        by_model = defaultdict(lambda: defaultdict(lambda: self.browse()))
        for message in self:
            if message.res_model and message.res_id:
                by_model[message.res_model][message.res_id] |= message
        for model, by_record in by_model.items():
            Model = self.env[model]
            if not hasattr(Model, "_message_log_batch"):
                continue
            records = Model.browse(list(by_record)).exists()
            bodies = {record.id: by_record[record.id]._format_chatter_note() for record in records}
            notes = records._message_log_batch(bodies=bodies, partner_ids=False)
            for note in notes:
                by_record[note.res_id].sudo().mail_message_id = note

    def _format_chatter_note(self):
        states = dict(self._fields["state"]._description_selection(self.env))
        lines = []
        for message in self:
            details = [states[message.state]]
            if message.network:
                details.append(message.network)
            if message.state in ("queued", "delivered"):
                details.append(_("%s credit(s)", message.credits))
            if message.reason:
                details.append(message.reason)
            lines.append(Markup('<li><a href="/odoo/aakash.sms.message/%s">%s</a>%s: %s</li>') % (
                message.id,
                message.number or message.number_raw or _("no number"),
                Markup(" (%s)") % message.partner_id.display_name if message.partner_id else "",
                ", ".join(details),
            ))
        return Markup("<p>%s <i>%s</i></p><ul>%s</ul>") % (
            _("SMS via Aakash:"), escape(self[:1].body), Markup("").join(lines)
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_resend(self):
        """Send again the rows that provably never reached a phone.

        Queued, delivered and uncertain rows are never resent.  The number
        is looked up again on the document, so a corrected number is used.
        """
        to_resend = self.filtered(lambda m: m.state in RESENDABLE_STATES and not m.resend_id)
        if not to_resend:
            raise UserError(_("Only rejected or failed messages that were not resent yet can be resent."))
        vals_list = []
        for message in to_resend:
            record = self.env[message.res_model].browse(message.res_id).exists() if message.res_model else None
            if record:
                vals_list += self._prepare_for_records(record, {record.id: message.body}, message.provider_id)
            else:
                vals_list.append(dict(message.copy_data()[0], state="pending"))
        new_messages = self.sudo().create(vals_list)
        for old, new in zip(to_resend, new_messages):
            old.sudo().resend_id = new
        new_messages._send()
        return new_messages._action_notify_outcome()

    def _action_notify_outcome(self):
        """A notification summarising the outcome of ``self``."""
        states = dict(self._fields["state"]._description_selection(self.env))
        counts = defaultdict(int)
        for message in self:
            counts[message.state] += 1
        summary = ", ".join("%s %s" % (count, states[state]) for state, count in counts.items())
        problems = self.filtered(lambda m: m.state not in ("queued", "delivered", "pending"))
        reasons = sorted(set(problems.mapped("reason")) - {False})
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("SMS sent") if not problems else _("SMS: some recipients were not reached"),
                "message": summary + (("\n" + "\n".join(reasons[:5])) if reasons else ""),
                "type": "success" if not problems else "warning",
                "sticky": bool(problems),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
