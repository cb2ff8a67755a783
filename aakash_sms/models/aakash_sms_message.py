import logging
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import psycopg2.errors
from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import mute_logger

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
REPORT_DELIVERED = ("delivered", "success", "sent")
REPORT_UNDELIVERED = ("failed", "undelivered", "rejected", "expired", "aborted")
# See _dispatch: sends up to this size happen inside the user's request.
IMMEDIATE_SEND_LIMIT = 100
# A row failing because the gateway could not be reached is retried this often by the queue.
MAX_ATTEMPTS = 5
# A worker looks at this many batches' worth of pending rows to find one not locked by another.
LOCK_LOOKAHEAD = 4
# How often a worker looks again after losing a race for rows to another worker.
MAX_LOCK_CONFLICTS = 10
# A row left "sending" this long was interrupted mid-send: it becomes uncertain.
SENDING_STALE_MINUTES = 10


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
    number = fields.Char(index=True, readonly=True, help="Normalised 10-digit number sent to Aakash")
    body = fields.Text("Text", required=True, readonly=True)
    provider_id = fields.Many2one("aakash.sms.provider", index=True, readonly=True, ondelete="restrict")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True, default=lambda self: self.env.company
    )
    state = fields.Selection(
        [
            ("pending", "Waiting"),
            ("sending", "Sending"),
            ("queued", "Queued at Gateway"),
            ("delivered", "Delivered"),
            ("undelivered", "Not Delivered"),
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
    send_ref = fields.Char("Send", index="btree_not_null", readonly=True,
                           help="Identifies the rows of one bulk send, to follow its progress.")
    attempt_count = fields.Integer("Attempts", readonly=True)
    next_attempt_date = fields.Datetime("Next Attempt", readonly=True)

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
                vals.update(state="rejected", reason=self._aakash_sms_refusal(check), gateway_status="not sent")
            elif not record_provider:
                vals.update(state="failed", gateway_status="not sent",
                            reason=self.env._("No Aakash SMS provider is configured for %s", company.name))
            vals_list.append(vals)
        return vals_list

    def _dispatch(self):
        """Send small sends now, queue large ones for the cron.

        Up to :data:`IMMEDIATE_SEND_LIMIT` recipients (one gateway request at
        the default batch size, well under a second) are sent inside the
        user's transaction; larger sends are left pending and the queue cron
        is triggered, so the user's request never waits on many round trips.
        """
        pending = self.filtered(lambda m: m.state == "pending")
        if len(pending) <= IMMEDIATE_SEND_LIMIT:
            return self._send()
        self._post_results(self - pending)
        self.env.ref("aakash_sms.ir_cron_aakash_sms_send")._trigger()
        return True

    def _send(self):
        """Send the pending rows of ``self`` now, in the current transaction.

        Rows are locked first (``SKIP LOCKED``, see :meth:`_lock_pending`) so that a queue
        worker never sends them too.  Every row ends with an outcome;
        nothing raises for a gateway problem.
        """
        self._lock_pending()._send_rows()
        self._post_results()
        return True

    def _lock_pending(self, limit=None):
        """Lock and return pending rows among ``self`` (among all rows if empty).

        Rows locked by another transaction are skipped (``FOR NO KEY UPDATE
        SKIP LOCKED`` through :meth:`try_lock_for_update`), so two workers
        never take the same row.
        """
        domain = [
            ("state", "=", "pending"),
            "|", ("next_attempt_date", "=", False), ("next_attempt_date", "<=", fields.Datetime.now()),
        ]
        if self:
            domain.append(("id", "in", self.ids))
        # look past the rows other workers may hold, then lock at most ``limit``
        candidates = self.search(domain, order="id", limit=limit and limit * LOCK_LOOKAHEAD)
        return candidates.try_lock_for_update(allow_referencing=True, limit=limit)

    def _send_rows(self):
        """Call the gateway for ``self`` (grouped by provider and text) and record outcomes."""
        jobs = self._gateway_jobs()
        self._record_outcomes(jobs, _call_gateway(jobs))

    def _gateway_jobs(self):
        """Everything the gateway calls for ``self`` need, as plain data (no ORM).

        ``[(message ids, client or the error preventing one, numbers, text)]``
        """
        groups = defaultdict(list)
        for message in self:
            groups[message.provider_id, message.body].append(message)
        jobs = []
        for (provider, body), messages in groups.items():
            try:
                client = provider._get_client()
            except UserError as exc:
                client = errors.ValidationError(exc.args[0])
            jobs.append(([m.id for m in messages], client, [m.number for m in messages], body))
        return jobs

    def _record_outcomes(self, jobs, outcomes):
        """Write what :func:`_call_gateway` returned for ``jobs``."""
        now = fields.Datetime.now()
        queue = self.env.context.get("aakash_sms_queue")
        for (ids, _client, _numbers, _body), outcome in zip(jobs, outcomes):
            messages = self.browse(ids)
            if isinstance(outcome, errors.AakashError):
                messages.write({"state": "failed", "reason": outcome.message, "gateway_status": "not sent",
                                "sent_date": now, "attempt_count": messages[:1].attempt_count + 1})
                continue
            for message, result in zip(messages, outcome):
                vals = self._values_from_result(result, now)
                retry = result.error_kind == "transport" and vals["state"] == "failed"
                if queue and retry and message.attempt_count + 1 < MAX_ATTEMPTS:
                    # provably never reached the gateway: the queue tries again later
                    vals["state"] = "pending"
                    vals["next_attempt_date"] = fields.Datetime.add(now, minutes=2 ** message.attempt_count)
                vals["attempt_count"] = message.attempt_count + 1
                message.write(vals)

    @api.model
    def _cron_send(self):
        """Queue worker: send pending rows in batches, committing after each.

        A batch is locked (``SKIP LOCKED``: two workers never take the same
        rows), marked ``sending`` and committed *before* the gateway is
        called; outcomes are committed after.  A crash in between leaves
        rows ``sending``, which the next run marks ``uncertain`` instead of
        sending them again.  While one batch's request is on the network (in
        a thread that only does HTTP), the previous batch's outcomes and
        chatter notes are written, so database work overlaps network waits.
        """
        self = self.sudo().with_context(aakash_sms_queue=True)
        Cron = self.env["ir.cron"]
        self._mark_interrupted()
        [[batch_size]] = self.env["aakash.sms.provider"]._read_group([], aggregates=["batch_size:max"])
        batch_size = batch_size or 100
        done = self.browse()
        time_left = float("inf")
        conflicts = 0
        in_flight = None  # (batch, jobs, future)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="aakash-sms") as executor:
            while True:
                # a fresh transaction, hence a fresh snapshot, for every batch
                Cron._commit_progress()
                batch = self.browse()
                if time_left > 0:
                    try:
                        with mute_logger("odoo.sql_db"):
                            batch = self._lock_pending(limit=batch_size)
                    except psycopg2.errors.SerializationFailure:
                        # another worker committed rows we were about to lock: look again
                        self.env.cr.rollback()
                        conflicts += 1
                        if conflicts <= MAX_LOCK_CONFLICTS:
                            continue
                next_call = None
                if batch:
                    batch.write({"state": "sending"})
                    Cron._commit_progress()
                    jobs = batch._gateway_jobs()
                    next_call = (batch, jobs, executor.submit(_call_gateway, jobs))
                if in_flight:
                    sent, jobs, future = in_flight
                    sent._record_outcomes(jobs, future.result())
                    sent._post_results(sent.filtered(lambda m: m.state != "pending"))
                    time_left = Cron._commit_progress(len(sent))
                    done |= sent
                in_flight = next_call
                if not in_flight:
                    break
        done._notify_completed_sends()
        next_attempt = self.search([("state", "=", "pending")], order="next_attempt_date", limit=1)
        if next_attempt:
            self.env.ref("aakash_sms.ir_cron_aakash_sms_send")._trigger(at=next_attempt.next_attempt_date)

    @api.model
    def _mark_interrupted(self):
        stale = self.search([
            ("state", "=", "sending"),
            ("write_date", "<", fields.Datetime.subtract(fields.Datetime.now(), minutes=SENDING_STALE_MINUTES)),
        ])
        stale.write({"state": "uncertain", "reason": self.env._(
            "The sending was interrupted after the request left; the SMS may have been sent.")})
        return stale

    def _notify_completed_sends(self):
        """Tell each user whose queued send has no pending row left."""
        refs = set(self.filtered("send_ref").mapped("send_ref"))
        if not refs:
            return
        open_refs = set(self.search([("send_ref", "in", list(refs)), ("state", "in", ("pending", "sending"))])
                        .mapped("send_ref"))
        for ref in refs - open_refs:
            messages = self.search([("send_ref", "=", ref)])
            counts = defaultdict(int)
            for message in messages:
                counts[message.state] += 1
            states = dict(self._fields["state"]._description_selection(self.env))
            summary = ", ".join("%s %s" % (count, states[state]) for state, count in sorted(counts.items()))
            messages[:1].user_id._bus_send("simple_notification", {
                "title": self.env._("Bulk SMS finished"),
                "message": self.env._("%(count)s recipients: %(summary)s", count=len(messages), summary=summary),
                "sticky": True,
                "type": "success" if counts.keys() <= {"queued", "delivered"} else "warning",
            })

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
    # Delivery reports
    # ------------------------------------------------------------------
    @api.model
    def _cron_sync_reports(self, days=3, max_pages=20):
        """Update queued rows from Aakash's report of sent messages (matched by gateway id)."""
        self = self.sudo()
        since = fields.Datetime.subtract(fields.Datetime.now(), days=days)
        open_rows = self.search([("state", "=", "queued"), ("gateway_id", "!=", False), ("sent_date", ">=", since)])
        updated = self.browse()
        for provider, rows in open_rows.grouped("provider_id").items():
            by_gateway_id = {row.gateway_id: row for row in rows}
            try:
                client = provider._get_client()
                page, total_pages = 1, 1
                while by_gateway_id and page <= min(total_pages, max_pages):
                    report = client.report(page)
                    total_pages = report.total_pages
                    for entry in report.entries:
                        row = by_gateway_id.pop(entry.message_id, None)
                        if row and row._apply_report_entry(entry):
                            updated |= row
                    page += 1
            except (errors.AakashError, UserError) as exc:
                _logger.warning("Aakash SMS: reading the report of provider %s failed: %s", provider.id, exc)
        updated._on_report_update()
        return updated

    def _apply_report_entry(self, entry):
        """Write what the report says; return whether the state changed."""
        self.ensure_one()
        status = (entry.status or "").lower()
        state = self.state
        if status in REPORT_DELIVERED:
            state = "delivered"
        elif status in REPORT_UNDELIVERED:
            state = "undelivered"
        vals = {"gateway_status": entry.status, "state": state}
        if entry.network:
            vals["network"] = entry.network
        if entry.credits:
            vals["credits"] = entry.credits
        self.write(vals)
        return state != "queued"

    def _on_report_update(self):
        """Hook called with the rows whose state a delivery report changed."""
        return True

    # ------------------------------------------------------------------
    # Chatter
    # ------------------------------------------------------------------
    def _post_results(self, messages=None):
        """One chatter note per document listing its recipients' outcomes, posted in batch."""
        rows = self if messages is None else messages
        rows.partner_id.mapped("display_name")  # prefetch once for all notes
        labels = {
            "states": dict(self._fields["state"]._description_selection(self.env)),
            "credits": self.env._("%s credit(s)"),
            "no_number": self.env._("no number"),
            "title": self.env._("SMS via Aakash:"),
        }
        by_model = defaultdict(lambda: defaultdict(list))
        for message in rows:
            if message.res_model and message.res_id:
                by_model[message.res_model][message.res_id].append(message.id)
        for model, by_record in by_model.items():
            Model = self.env[model]
            if not hasattr(Model, "_message_log_batch"):
                continue
            records = Model.browse(list(by_record)).exists()
            group = {res_id: rows.browse(ids).with_prefetch(rows._prefetch_ids) for res_id, ids in by_record.items()}
            bodies = {record.id: group[record.id]._format_chatter_note(labels) for record in records}
            notes = records._message_log_batch(bodies=bodies, partner_ids=False)
            for note in notes:
                group[note.res_id].sudo().mail_message_id = note

    def _format_chatter_note(self, labels):
        lines = []
        for message in self:
            details = [labels["states"][message.state]]
            if message.network:
                details.append(message.network)
            if message.state in ("queued", "delivered"):
                details.append(labels["credits"] % message.credits)
            if message.reason:
                details.append(message.reason)
            lines.append(Markup('<li><a href="/odoo/aakash.sms.message/%s">%s</a>%s: %s</li>') % (
                message.id,
                message.number or message.number_raw or labels["no_number"],
                Markup(" (%s)") % message.partner_id.display_name if message.partner_id else "",
                ", ".join(details),
            ))
        return Markup("<p>%s <i>%s</i></p><ul>%s</ul>") % (
            labels["title"], escape(self[:1].body), Markup("").join(lines)
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
            raise UserError(self.env._("Only rejected or failed messages that were not resent yet can be resent."))
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
        problems = self.filtered(lambda m: m.state not in ("queued", "delivered", "pending", "sending"))
        reasons = sorted(set(problems.mapped("reason")) - {False})
        if problems:
            title = self.env._("SMS: some recipients were not reached")
        elif counts.get("pending"):
            title = self.env._("SMS queued: you will be notified when they are sent")
        else:
            title = self.env._("SMS sent")
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": summary + (("\n" + "\n".join(reasons[:5])) if reasons else ""),
                "type": "success" if not problems else "warning",
                "sticky": bool(problems),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }


def _call_gateway(jobs):
    """Run the gateway calls of ``jobs``: plain Python, safe in a thread.

    One entry per job: the client's results, or the error that stopped it.
    """
    outcomes = []
    for _ids, client, numbers, body in jobs:
        if isinstance(client, errors.AakashError):
            outcomes.append(client)
            continue
        try:
            outcomes.append(client.send(numbers, body))
        except errors.AakashError as exc:
            outcomes.append(exc)
    return outcomes
