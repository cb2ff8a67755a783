import logging
from uuid import uuid4

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..const import OUTCOMES, RESENDABLE_STATES
from ..tools.text import gsm_safe, text_problem
from .models import check_number

_logger = logging.getLogger(__name__)

# a send of more records than this is prepared by chunks of this many (memory stays
# flat)
CHUNK_SIZE = 2000


class AakashSmsMessage(models.Model):
    """One recipient of one send: what was asked, and what the gateway said.

    Rows are written only by the front doors' shared preparation
    (:meth:`_aakash_create_rows`) and by the engine (``aakash_sms_engine.py``);
    users read them.
    """

    _name = "aakash.sms.message"
    _description = "Aakash SMS Message"
    _order = "id desc"
    _rec_name = "number_raw"
    _check_company_auto = True

    res_model = fields.Char("Document Model", index=True, readonly=True)
    res_id = fields.Many2oneReference(
        "Document ID", model_field="res_model", index=True, readonly=True
    )
    record_ref = fields.Reference(
        selection="_selection_record_ref",
        compute="_compute_record_ref",
        string="Document",
    )
    record_name = fields.Char("Document Name", readonly=True)
    partner_id = fields.Many2one(
        "res.partner", "Contact", index="btree_not_null", readonly=True
    )
    number_raw = fields.Char("Number as Typed", readonly=True)
    number = fields.Char(
        index=True, readonly=True, help="Normalised 10-digit number sent to Aakash"
    )
    body = fields.Text("Text", required=True, readonly=True)
    provider_id = fields.Many2one(
        "aakash.sms.provider",
        index=True,
        readonly=True,
        ondelete="restrict",
        check_company=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        readonly=True,
        default=lambda self: self.env.company,
    )
    state = fields.Selection(
        [
            ("pending", "Waiting"),
            ("sending", "Sending"),
            ("queued", "Accepted by Aakash"),
            ("delivered", "Delivered"),
            ("undelivered", "Not Delivered"),
            ("rejected", "Rejected"),
            ("failed", "Failed"),
            ("uncertain", "Uncertain"),
        ],
        default="pending",
        required=True,
        index=True,
        readonly=True,
        help="Accepted: Aakash took it for delivery. Rejected: refused (invalid "
        "number...). Failed: never reached the gateway, safe to resend. "
        "Uncertain: the gateway may have it (timeout, broken reply): never resent"
        " on its own, check the Aakash report first.",
    )
    error_kind = fields.Char(
        readonly=True, help="Machine form of the reason (see const.OUTCOMES)."
    )
    gateway_id = fields.Char("Gateway ID", index="btree_not_null", readonly=True)
    gateway_status = fields.Char(readonly=True)
    network = fields.Char(readonly=True)
    credits = fields.Float(readonly=True)
    reason = fields.Char(readonly=True)
    user_id = fields.Many2one(
        "res.users", "Sent By", readonly=True, default=lambda self: self.env.user
    )
    sent_date = fields.Datetime("Sent On", readonly=True)
    mail_message_id = fields.Many2one(
        "mail.message", "Chatter Note", readonly=True, index="btree_not_null"
    )
    resend_id = fields.Many2one("aakash.sms.message", "Resent As", readonly=True)
    send_ref = fields.Char(
        "Send",
        index="btree_not_null",
        readonly=True,
        help="Identifies the rows of one send, to follow its progress.",
    )
    notify_sender = fields.Boolean(
        readonly=True, help="Tell the sender when this send is done (wizard sends)."
    )
    attempt_count = fields.Integer("Attempts", readonly=True)
    next_attempt_date = fields.Datetime("Next Attempt", readonly=True)

    @api.model
    def _selection_record_ref(self):
        # model names for a selection, whoever reads the log
        models_sudo = self.env["ir.model"].sudo()
        return [(model.model, model.name) for model in models_sudo.search([])]

    @api.depends("res_model", "res_id")
    def _compute_record_ref(self):
        for message in self:
            if message.res_model and message.res_id and message.res_model in self.env:
                message.record_ref = f"{message.res_model},{message.res_id}"
            else:
                message.record_ref = False

    # ------------------------------------------------------------------
    # Front doors: what to send (rows), never how
    # ------------------------------------------------------------------
    @api.model
    def _aakash_refusal_reason(self, kind, **params):
        """The reason shown for a refusal decided before sending, in the user's
        language."""
        reasons = {
            "no_provider": self.env._(
                "No Aakash SMS provider is configured for %(company)s."
            ),
            "opted_out": self.env._("opted out (the number is on the SMS blacklist)"),
            "duplicate": self.env._(
                "duplicate: this text goes to this number once in this send"
            ),
            "other_company": self.env._(
                "the provider %(provider)s belongs to another company"
            ),
            "archived_default": self.env._(
                "No Aakash SMS provider is configured for %(company)s: its default "
                "provider %(provider)s is archived (make another provider the default)"
            ),
        }
        return reasons[kind] % params if params else reasons[kind]

    @api.model
    def _aakash_render(self, render, records):
        """``(bodies, problem)``: the texts ``render(records)`` gives, or why it could
        not render them.

        A broken template never stops the business action that sends: its rows are
        recorded as refused, with the reason.
        """
        try:
            with self.env.cr.savepoint():
                return render(records), ""
        except Exception as exc:  # noqa: BLE001 - any rendering error is the template's  # pylint: disable=broad-except
            _logger.info(
                "Aakash SMS: the text of %s %s could not be rendered: %s",
                records._name,
                records.ids,
                exc,
            )
            return dict.fromkeys(records.ids, "-"), self.env._(
                "the SMS template could not be rendered (%s)", str(exc)[:200]
            )

    @api.model
    def _aakash_create_rows(
        self,
        records,
        bodies,
        provider=None,
        recipients=None,
        send_ref=None,
        text_problem="",
        notify_sender=False,
    ):
        """Create the log rows of one send: the only way front doors write rows.

        :param records: the documents texted (the caller has read access to them)
        :param bodies: ``{record.id: text}``
        :param provider: forced provider, else each record's company default
        :param recipients: ``{record.id: (partner, number)}``, default
            :meth:`base._aakash_sms_get_recipients`
        :return: the rows, as superuser: pending, or already final when refused before
            sending (no number, landline, opted out, duplicate, bad text, document not
            to be texted, no provider)
        """
        # rows are the engine's: users never write them directly
        messages_sudo = self.sudo()
        send_ref = send_ref or uuid4().hex
        if len(records) <= CHUNK_SIZE:
            vals_list = self._aakash_row_values(
                records, bodies, provider, recipients, send_ref
            )
            self._aakash_mark(vals_list, text_problem, notify_sender)
            return messages_sudo.create(messages_sudo._aakash_check_values(vals_list))
        # a large send: by chunks, each chunk's cache dropped once written (memory stays
        # flat)
        rows_ids, providers, seen = [], {}, set()
        for chunk in self._aakash_chunks(records):
            vals_list = self._aakash_row_values(
                chunk, bodies, provider, recipients, send_ref
            )
            self._aakash_mark(vals_list, text_problem, notify_sender)
            rows_ids += messages_sudo.create(
                messages_sudo._aakash_check_values(vals_list, providers, seen)
            ).ids
            self.env.flush_all()
            chunk.invalidate_recordset()
            messages_sudo.invalidate_model()
        return messages_sudo.browse(rows_ids)

    @staticmethod
    def _aakash_mark(vals_list, text_problem, notify_sender):
        for vals in vals_list:
            vals["_text_problem"] = text_problem
            vals["notify_sender"] = notify_sender

    @api.model
    def _aakash_chunks(self, records):
        """``records`` by chunks of :data:`CHUNK_SIZE`, each prefetching only itself."""
        ids = records.ids
        for start in range(0, len(ids), CHUNK_SIZE):
            yield records.browse(ids[start : start + CHUNK_SIZE])

    @api.model
    def _aakash_preview(self, records, provider=None):
        """What :meth:`_aakash_create_rows` would decide for ``records`` (one text).

        :return: one dict per record, the values of a preview line
        """
        return list(self._aakash_preview_lines(records, provider))

    @api.model
    def _aakash_preview_lines(self, records, provider=None):
        """:meth:`_aakash_preview`, one line at a time (by chunks for large
        selections)."""
        providers, seen = {}, set()
        chunks = (
            [records] if len(records) <= CHUNK_SIZE else self._aakash_chunks(records)
        )
        for chunk in chunks:
            vals_list = self._aakash_row_values(
                chunk, dict.fromkeys(chunk.ids, "-"), provider, None, False
            )
            # decided as the send will decide it: with the engine's rights
            messages_sudo = self.sudo()
            for vals in messages_sudo._aakash_check_values(vals_list, providers, seen):
                yield {
                    "res_id": vals["res_id"],
                    "record_name": vals["record_name"],
                    "partner_id": vals["partner_id"],
                    "number_raw": vals["number_raw"],
                    "number": vals["number"],
                    "valid": not vals.get("state"),
                    "reason": vals.get("reason") or False,
                }
            if chunk is not records:
                chunk.invalidate_recordset()

    @api.model
    def _aakash_row_values(self, records, bodies, provider, recipients, send_ref):
        recipients = (
            recipients
            if recipients is not None
            else records._aakash_sms_get_recipients()
        )
        document_refusals = records._aakash_sms_document_refusals()
        has_company = "company_id" in records._fields
        vals_list = []
        for record in records:
            company = (record.company_id if has_company else False) or self.env.company
            partner, raw = recipients.get(record.id) or (self.env["res.partner"], "")
            vals_list.append(
                {
                    "res_model": records._name,
                    "res_id": record.id,
                    "record_name": record.display_name,
                    "partner_id": partner.id,
                    "number_raw": raw or False,
                    "body": bodies.get(record.id) or "",
                    "company_id": company.id,
                    "send_ref": send_ref,
                    "_refusal": document_refusals.get(record.id),
                    "_provider": provider,
                }
            )
        return vals_list

    @api.model
    def _aakash_check_values(self, vals_list, providers=None, seen=None):
        """Decide, before anything is sent, which rows are refused, and why.

        Every value dict gets its ``number``, ``provider_id``, and for a refusal
        ``state``/``error_kind``/``reason``.  Private keys: ``_refusal`` (a reason why
        the document must not be texted), ``_provider`` (a forced provider).
        Within one call (or calls sharing ``seen``) a text goes to a number once:
        later copies are refused as duplicates.  Only a row that will be sent counts:
        a copy refused for another reason (its document, its provider) does not make
        the next one a duplicate.
        """
        providers = {} if providers is None else providers
        seen = set() if seen is None else seen
        Provider = self.env["aakash.sms.provider"]
        Company = self.env["res.company"]
        checks = [check_number(vals.get("number_raw")) for vals in vals_list]
        opted_out = self._aakash_opted_out(
            {check.number for check in checks if check.valid}
        )
        # the same few texts for many rows: made GSM-safe and checked once each
        safe_texts = {}
        text_problems = {}
        provider_refusals = {}  # the few (provider, company) pairs, judged once each
        for vals, check in zip(vals_list, checks, strict=False):
            document_refusal = vals.pop("_refusal", None)
            forced = vals.pop("_provider", None)
            render_problem = vals.pop("_text_problem", "")
            company = Company.browse(vals["company_id"])
            if forced:
                provider = forced
            else:
                if company not in providers:
                    # the engine's provider (elevated), whoever sends
                    providers[company] = Provider._get_default(company)
                provider = providers[company]
            vals["number"] = check.number or False
            vals["provider_id"] = provider.id or False
            if provider.gsm_safe and vals["body"]:
                # look-alikes that would make the text Unicode, replaced
                if vals["body"] not in safe_texts:
                    safe_texts[vals["body"]] = gsm_safe(vals["body"])
                vals["body"] = safe_texts[vals["body"]]
            kind = reason = None
            if document_refusal:
                kind, reason = "document", document_refusal
            elif render_problem:
                kind, reason = "text", render_problem
            elif not check.valid:
                kind = "no_number" if check.code == "empty" else "number"
                reason = self._aakash_sms_refusal(check)
            elif check.number in opted_out:
                kind, reason = "opted_out", self._aakash_refusal_reason("opted_out")
            elif (check.number, vals["body"]) in seen:
                kind, reason = "duplicate", self._aakash_refusal_reason("duplicate")
            else:
                if vals["body"] not in text_problems:
                    text_problems[vals["body"]] = self._aakash_text_problem(
                        vals["body"]
                    )
                text_problem = text_problems[vals["body"]]
                if text_problem:
                    kind, reason = "text", text_problem
                else:
                    kind, reason = self._aakash_provider_refusal(
                        provider, company, provider_refusals
                    )
                    if kind and provider:
                        vals["provider_id"] = False
            if not kind:
                seen.add((check.number, vals["body"]))
            if kind:
                vals.update(
                    state=OUTCOMES[kind][0],
                    error_kind=kind,
                    reason=reason,
                    gateway_status="not sent",
                )
        return vals_list

    @api.model
    def _aakash_provider_refusal(self, provider, company, judged=None):
        """``(kind, reason)`` if ``provider`` may not send for ``company``, else
        ``(None, None)``.

        :param judged: a dict of the pairs already judged, filled in (the same few
            pairs for the many rows of a send: a query each at most)
        """
        if judged is None:
            return self._aakash_judge_provider(provider, company)
        if (provider, company) not in judged:
            judged[provider, company] = self._aakash_judge_provider(provider, company)
        return judged[provider, company]

    @api.model
    def _aakash_judge_provider(self, provider, company):
        if not provider:
            # a default archived is not replaced by another provider on its own
            archived_sudo = self.env["aakash.sms.provider"]._get_archived_default(
                company
            )
            if archived_sudo:
                return "no_provider", self._aakash_refusal_reason(
                    "archived_default",
                    company=company.name,
                    provider=archived_sudo.name,
                )
            return "no_provider", self._aakash_refusal_reason(
                "no_provider", company=company.name
            )
        if provider.company_id != company:
            return "no_provider", self._aakash_refusal_reason(
                "other_company", provider=provider.name
            )
        return None, None

    @api.model
    def _aakash_text_problem(self, text, segments=None):
        """Why ``text`` cannot be sent ('' if it can), in the user's language: the
        rule of :func:`..tools.text.text_problem` in the words of
        ``base._aakash_sms_text_refusal``.

        :param segments: the SMS parts to judge the length by, if not ``text``'s own
            (the wizard: the longest of the texts rendered for its recipients)
        """
        return self._aakash_sms_text_refusal(text_problem(text, segments=segments))

    @api.model
    def _aakash_opted_out(self, numbers):
        """The numbers of ``numbers`` (10-digit form) on Odoo's phone blacklist."""
        if not numbers:
            return set()
        variants = {}
        for number in numbers:
            for variant in (number, "+977" + number, "977" + number, "+977 " + number):
                variants[variant] = number
        # the blacklist is a privacy list every send must honour, whoever sends.  Its
        # numbers are
        # stored formatted (E.164, "+977..."); the written forms of a Nepali number are
        # matched
        # as they are, without formatting each one again (phone.blacklist's search
        # would:
        # seconds per thousand numbers)
        self.env["phone.blacklist"].flush_model(["number", "active"])
        self.env.cr.execute(
            "SELECT number FROM phone_blacklist WHERE active AND number = ANY(%s)",
            [list(variants)],
        )
        return {variants[number] for [number] in self.env.cr.fetchall()}

    def _aakash_queue(self):
        """Leave the pending rows of ``self`` to the queue, which is woken at once."""
        pending, final = [], []
        for chunk in self._aakash_read_chunks():
            for message in chunk:
                if message.state == "pending":
                    pending.append(message.id)
                elif message.state != "sending":
                    final.append(message.id)
        if pending:
            # any sender wakes the queue
            cron_sudo = self.env.ref("aakash_sms.ir_cron_aakash_sms_send").sudo()
            cron_sudo._trigger()
        self._post_results(self.browse(final))
        return self

    def _aakash_read_chunks(self):
        """``self`` by chunks of :data:`CHUNK_SIZE`, each one's cache dropped once read.

        For reading many rows (a send of 100,000) without keeping them all in memory.
        """
        if len(self) <= CHUNK_SIZE:
            yield self
            return
        self.env.flush_all()
        ids = self.ids
        for start in range(0, len(ids), CHUNK_SIZE):
            chunk = self.browse(ids[start : start + CHUNK_SIZE])
            yield chunk
            chunk.invalidate_recordset()

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_resend(self):
        """Send again, through the queue, the rows that provably never reached a phone
        and that can now succeed.

        Queued, delivered and uncertain rows are never resent.  The rows are locked
        first, so two users resending the same row at once resend it once.  The number
        is looked up again on the document: a row refused for its number is resent only
        once the number was corrected; a duplicate never (its text went to that number).
        The resend is one send: rows holding the same number and text are texted once,
        the later copies recorded as duplicates.  What is left out is listed in the
        notification, with the reason.
        """
        self.check_access("read")
        native = self.filtered("sms_uuid")
        if native and native == self:
            raise UserError(
                self.env._(
                    "These SMS were sent by Odoo's own SMS features: resend them from "
                    "Odoo's SMS list (Settings > Technical > Phone / SMS > SMS, action "
                    "Resend)."
                )
            )
        candidates = (self - native).filtered(
            lambda m: m.state in RESENDABLE_STATES and not m.resend_id
        )
        if candidates:
            # wait for a concurrent resend of the same rows: it wins, this one then
            # fails to serialize
            self.env.cr.execute(
                "SELECT id FROM aakash_sms_message WHERE id IN %s FOR NO KEY UPDATE",
                [tuple(candidates.ids)],
                log_exceptions=False,
            )
            candidates.invalidate_recordset(["state", "resend_id"])
        to_resend = candidates.filtered(
            lambda m: m.state in RESENDABLE_STATES and not m.resend_id
        )
        if not to_resend:
            raise UserError(
                self.env._(
                    "Only rejected or failed messages that were not resent yet can be "
                    "resent."
                )
            )
        # rows are the engine's: users never write them directly
        messages_sudo = self.sudo()
        send_ref = uuid4().hex
        # one send: the providers and the (number, text) pairs texted, shared by its
        # rows
        providers, seen = {}, set()
        planned, skipped = [], []
        for message in to_resend:
            if message.error_kind == "duplicate":
                skipped.append(
                    (
                        message,
                        self.env._(
                            "its text was already sent to this number in the same send"
                        ),
                    )
                )
                continue
            # the row's provider, read by the engine only (the user may not read it)
            provider_sudo = message.provider_id.sudo() or None
            record = (
                self.env[message.res_model].browse(message.res_id).exists()
                if message.res_model
                else None
            )
            if record:
                [vals] = self._aakash_row_values(
                    record, {record.id: message.body}, provider_sudo, None, send_ref
                )
            else:
                vals = {
                    "partner_id": message.partner_id.id,
                    "number_raw": message.number_raw,
                    "body": message.body,
                    "company_id": message.company_id.id,
                    "send_ref": send_ref,
                    "_provider": provider_sudo,
                }
            [vals] = messages_sudo._aakash_check_values([vals], providers, seen)
            vals["notify_sender"] = True
            if vals.get("error_kind") == "duplicate":
                # recorded, as in any send: the text goes to the number once
                planned.append((message, vals))
            elif vals.get("state"):
                skipped.append((message, vals["reason"]))
            elif message.error_kind == "refused" and vals["number"] == message.number:
                # not sent after all: the next copy is not a duplicate of it
                seen.discard((vals["number"], vals["body"]))
                skipped.append(
                    (
                        message,
                        self.env._(
                            "Aakash refused this number and it was not corrected"
                        ),
                    )
                )
            else:
                planned.append((message, vals))
        if not planned:
            raise UserError(
                self.env._(
                    "Nothing can be resent now:\n%s",
                    "\n".join(
                        "- {}: {}".format(
                            message.number or message.number_raw or "-", reason
                        )
                        for message, reason in skipped
                    ),
                )
            )
        new_messages = messages_sudo.create([vals for _message, vals in planned])
        for (message, _vals), new in zip(planned, new_messages, strict=False):
            # the engine's bookkeeping: rows are never written by users
            message_sudo = message.sudo()
            message_sudo.resend_id = new
        new_messages._aakash_queue()
        action = new_messages._action_notify_outcome()
        if skipped:
            action["params"]["message"] += (
                "\n"
                + self.env._("Not resent (%s):", len(skipped))
                + "".join(
                    "\n- {}: {}".format(
                        message.number or message.number_raw or "-", reason
                    )
                    for message, reason in skipped
                )
            )
        return action
