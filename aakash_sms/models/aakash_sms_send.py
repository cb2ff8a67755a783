"""``aakash.sms.send``: a send whose size grows with the selection, recorded at once.

The wizard's Send on many records (a selection over a domain, or more ids than one
chunk) writes one send record and returns; the queue's cron prepares its recipients
in committed chunks, as Odoo's mass mailing creates its traces in a cron:

- the documents are read again with the sender's rights and companies, by id, after
  the watermark ``prepared_until``; each chunk's rows are written by the send paths'
  one preparation (:meth:`aakash.sms.message._aakash_create_rows`: numbers checked,
  duplicates and opt-outs refused as final rows, texts rendered once per record with
  the template's rules) and committed with the watermark;
- the send row is locked ``FOR NO KEY UPDATE SKIP LOCKED`` for each chunk: two workers
  never prepare the same chunk, and a unique index on (send, document) refuses a
  document prepared twice whatever happens;
- a worker killed in the middle loses only its uncommitted chunk: the next run
  resumes after the last committed watermark.
"""

import ast
import bisect
import json
import logging
import time
from uuid import uuid4

import psycopg2.errors

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError
from odoo.fields import Domain
from odoo.tools import SQL
from odoo.tools.misc import formatLang

from ..const import CHUNK_SIZE, OPEN_STATES
from .models import check_number

_logger = logging.getLogger(__name__)

# error kinds of rows refused while their send was prepared (never sent): such a row
# does not make a later copy of its number and text a duplicate
PREPARED_REFUSALS = (
    "no_number",
    "number",
    "opted_out",
    "duplicate",
    "text",
    "document",
    "no_provider",
)


def dump_domain(domain):
    """``domain`` as the text a send keeps: JSON (a list of ids of any length), or
    its ``repr`` when a value is not JSON (a date)."""
    try:
        return json.dumps(list(domain))
    except TypeError:
        return repr(list(domain))


def load_domain(text):
    """The domain a send keeps as ``text`` (:func:`dump_domain`, or an older send's
    ``repr``).

    JSON first: Odoo caps ``ast.literal_eval`` at 100 KiB, less than the ids of a
    selection of 15,000 records.
    """
    try:
        return json.loads(text)
    except ValueError:
        return ast.literal_eval(text)


class AakashSmsSend(models.Model):
    """One large send: what to send to which documents; the queue makes its rows."""

    _name = "aakash.sms.send"
    _description = "Aakash SMS Send"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True)
    send_ref = fields.Char(
        "Send Reference",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        default=lambda self: uuid4().hex,
        help="The reference its rows carry in the SMS log.",
    )
    res_model = fields.Char("Document Model", required=True, readonly=True)
    res_domain = fields.Text(
        "Documents",
        required=True,
        readonly=True,
        help="The selected documents, read with the sender's rights when prepared.",
    )
    max_res_id = fields.Integer(
        "Highest Document ID",
        readonly=True,
        help="The highest document id selected: documents created after the send are "
        "not in it.",
    )
    body = fields.Text("Text", readonly=True)
    template_id = fields.Many2one("sms.template", readonly=True, ondelete="set null")
    provider_id = fields.Many2one(
        "aakash.sms.provider", readonly=True, ondelete="restrict", check_company=True
    )
    server_action_id = fields.Many2one(
        "ir.actions.server",
        readonly=True,
        ondelete="set null",
        help="The server action or automation rule whose text and recipients this "
        "send follows.",
    )
    opt_out = fields.Boolean(
        "Opt-out Link",
        readonly=True,
        help="Each text ends with its recipient's opt-out link.",
    )
    notify_sender = fields.Boolean(
        default=True, readonly=True, help="Tell the sender when this send is done."
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    allowed_company_ids = fields.Many2many(
        "res.company",
        string="Sender's Companies",
        readonly=True,
        help="The companies the sender worked in when sending: the documents are read "
        "in them.",
    )
    user_id = fields.Many2one("res.users", "Sent By", required=True, readonly=True)
    state = fields.Selection(
        [
            ("preparing", "Preparing"),
            ("queued", "Prepared"),
            ("done", "Done"),
            ("canceled", "Canceled"),
        ],
        default="preparing",
        required=True,
        readonly=True,
        index=True,
        help="Preparing: the queue writes its recipients by chunks. Prepared: every "
        "recipient has a row in the SMS log. Done: every row has its outcome.",
    )
    scheduled_date = fields.Datetime(
        "Goes Out On",
        readonly=True,
        help="Its SMS are not sent before this time (empty: as soon as prepared).",
    )
    quiet_hours = fields.Boolean(
        "Within Sending Hours",
        readonly=True,
        help="Its SMS go out only within the company's sending hours.",
    )
    total_count = fields.Integer("Selected", readonly=True)
    prepared_count = fields.Integer("Prepared", readonly=True)
    prepared_until = fields.Integer(
        "Prepared Up To",
        readonly=True,
        help="The id of the last document prepared: the preparation resumes after it.",
    )
    sent_count = fields.Integer(
        "Sent", compute="_compute_progress", help="Rows with an outcome."
    )
    progress = fields.Char(compute="_compute_progress")
    message_ids = fields.One2many("aakash.sms.message", "send_id", "SMS")

    @api.depends("prepared_count", "total_count", "state")
    def _compute_progress(self):
        counts = self._aakash_outcome_counts()
        for send in self:
            send.sent_count = counts.get(send.id, 0)
            send.progress = send._aakash_progress(send.sent_count)

    def _aakash_outcome_counts(self):
        """``{send id: rows with an outcome}``, in one query."""
        if not self.ids:
            return {}
        # the progress of a send whoever reads it: counts only
        messages_sudo = self.env["aakash.sms.message"].sudo()
        groups = messages_sudo._read_group(
            [("send_id", "in", self.ids), ("state", "not in", OPEN_STATES)],
            ["send_id"],
            ["__count"],
        )
        return {send.id: count for send, count in groups}

    def _aakash_progress(self, sent):
        """The progress in words ("3,200 of 100,000 prepared, 1,000 sent")."""
        self.ensure_one()

        def number(value):
            return formatLang(self.env, value, digits=0)

        return self.env._(
            "%(prepared)s of %(total)s prepared, %(sent)s sent",
            prepared=number(self.prepared_count),
            total=number(self.total_count),
            sent=number(sent),
        )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_open_messages(self):
        """The SMS log showing this send's rows."""
        self.ensure_one()
        action = self.env["aakash.sms.message"]._aakash_sms_log_action(
            [("send_ref", "=", self.send_ref)], self.name
        )
        action.update({"context": {"create": False}, "target": "current"})
        return action

    def action_cancel(self):
        """Stop preparing: the rows already prepared are sent, no other is added.
        A send scheduled for later is canceled as a whole: its rows waiting too.

        For the sender, and SMS managers.
        """
        self.check_access("read")
        manager = self.env.user.has_group("aakash_sms.group_aakash_sms_manager")
        if not manager and self.filtered(lambda send: send.user_id != self.env.user):
            raise AccessError(
                self.env._("Only its sender or an SMS manager may stop a send.")
            )
        # the engine's bookkeeping: the sender may stop what they started
        self.sudo().filtered(lambda send: send.state == "preparing").state = "canceled"
        scheduled = self.filtered(
            lambda send: send.scheduled_date
            and send.scheduled_date > fields.Datetime.now()
        )
        if scheduled:
            self.env["aakash.sms.message"]._aakash_cancel_sends(
                set(scheduled.mapped("send_ref"))
            )

    # ------------------------------------------------------------
    # BUSINESS: recorded at the click
    # ------------------------------------------------------------

    @api.model
    def _aakash_create_send(self, records_model, domain, values):
        """Record a send of the documents of ``records_model`` (with the sender's
        rights) matching ``domain``, and wake the queue.  The work does not grow with
        the selection: one query counts the documents and finds the highest id.

        :param values: the send's text, template, provider and company
        :return: the send, as superuser (users never write sends)
        """
        Model = records_model
        domain = Domain(domain)
        [[total, last_id]] = Model._read_group(domain, [], ["__count", "id:max"])
        ir_model = self.env["ir.model"]._get(Model._name)
        # sends are the engine's: users never write them directly
        send_sudo = self.sudo().create(
            {
                "name": self.env._(
                    "%(documents)s: SMS to %(count)s records",
                    count=formatLang(self.env, total, digits=0),
                    documents=ir_model.name,
                ),
                "res_model": Model._name,
                "res_domain": dump_domain(domain),
                "max_res_id": last_id or 0,
                "total_count": total,
                "user_id": self.env.uid,
                "allowed_company_ids": [fields.Command.set(Model.env.companies.ids)],
                **values,
            }
        )
        # any sender wakes the queue
        self.env["aakash.sms.message"]._aakash_wake_queue()
        return send_sudo

    # ------------------------------------------------------------
    # BUSINESS: prepared by the queue
    # ------------------------------------------------------------

    @api.model
    def _aakash_render_bodies(self, records, body, template, body_rendered=False):
        """``{id: text}``, rendered per record (placeholders like
        ``{{ object.name }}``), in one batch: the wizard's rule, for its own send and
        for the sends the queue prepares.

        Each text is rendered once: a text already filled in for its record is sent
        as it is; the template's source by the template, with its rules; a text the
        user typed as the user's own template, with Odoo's rules for the user.
        """
        if body_rendered:
            return dict.fromkeys(records.ids, body)
        if template and body == template.body:
            if not template.lang and records:
                # Odoo reads each customer's language one record at a time: read them
                # all at once first
                customers = records._mail_get_partners()
                self.env["res.partner"].concat(*customers.values()).mapped("lang")
            return template._render_field("body", records.ids, compute_lang=True)
        if "{{" not in body:  # plain text: nothing to render
            return dict.fromkeys(records.ids, body)
        return self.env["mail.render.mixin"]._render_template(
            body, records._name, records.ids
        )

    @api.model
    def _cron_prepare(self, budget=float("inf"), size=None):
        """Prepare due sends by chunks of ``size`` documents
        (:data:`~..const.CHUNK_SIZE` by default), each committed with its progress,
        for about ``budget`` seconds (at least one chunk).

        :return: the documents prepared
        """
        deadline = time.monotonic() + budget
        done = 0
        while True:
            send_sudo = self._aakash_lock_next()
            if not send_sudo:
                break
            count = send_sudo._aakash_prepare_chunk(size)
            done += count
            self.env["ir.cron"]._commit_progress(count)
            if time.monotonic() >= deadline:
                break
        return done

    @api.model
    def _aakash_lock_next(self):
        """The oldest send still preparing that no other worker holds, locked until
        the transaction ends (as superuser: a cron)."""
        self.env.flush_all()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM aakash_sms_send WHERE state = 'preparing' "
                        "ORDER BY id LIMIT 1 FOR NO KEY UPDATE SKIP LOCKED"
                    ),
                    log_exceptions=False,
                )
                row = self.env.cr.fetchone()
        except psycopg2.errors.SerializationFailure:
            # another worker committed a chunk of it since this transaction began:
            # it goes on with it
            return self.browse()
        if not row:
            return self.browse()
        send_sudo = self.sudo().browse(row[0])
        # read again under the lock
        send_sudo.invalidate_recordset()
        return send_sudo

    def _aakash_prepare_chunk(self, size=None):
        """Write the rows of the next ``size`` documents of this locked send
        (:data:`~..const.CHUNK_SIZE` by default).

        :return: the documents prepared (0 when the send is fully prepared)
        """
        self.ensure_one()
        if self.state != "preparing":
            return 0
        size = size or CHUNK_SIZE
        Model = self._aakash_documents_model()
        if Model is None:
            self.state = "canceled"
            return 0
        records, watermark, last = self._aakash_next_documents(Model, size)
        if not watermark:
            self.state = "queued"
            # its rows may all have their outcome already: done, and the sender told
            self.env["aakash.sms.message"].search(
                [("send_id", "=", self.id)], limit=1
            ).with_context(aakash_sms_queue=True)._notify_completed_sends()
            return 0
        if not records:
            # ticked records all deleted (or out of reach) since: the next ones
            self.prepared_until = watermark
            return self._aakash_prepare_chunk(size)
        Message = Model.env["aakash.sms.message"]
        if self.server_action_id:
            # the action's text and recipients, as when it runs on a few records
            action = self.server_action_id.with_env(Model.env)
            bodies, problem, recipients = action._aakash_sms_texts(records)
        else:
            template = self.template_id.with_env(Model.env)
            bodies, problem = Message._aakash_render(
                lambda recs: self._aakash_render_bodies(
                    recs, self.body or "", template
                ),
                records,
            )
            recipients = records._aakash_sms_get_recipients()
        rows = Message._aakash_create_rows(
            records,
            bodies,
            # the chosen provider as the engine uses it (its company is checked
            # against each record's there)
            provider=self.provider_id.sudo() or None,
            recipients=recipients,
            send_ref=self.send_ref,
            text_problem=problem,
            notify_sender=self.notify_sender,
            seen=self._aakash_sent_pairs(recipients),
            values={
                "send_id": self.id,
                "next_attempt_date": self.scheduled_date,
                "quiet_hours": self.quiet_hours,
            },
            opt_out=self.opt_out,
        )
        self.write(
            {
                "prepared_until": watermark,
                "prepared_count": self.prepared_count + len(records),
                "state": "queued" if last else "preparing",
            }
        )
        rows._aakash_queue()
        if self.state == "queued":
            rows.with_context(aakash_sms_queue=True)._notify_completed_sends()
        return len(records)

    def _aakash_next_documents(self, Model, size):
        """``(records, watermark, last)``: the next ``size`` documents of this send
        after its watermark, as ``Model`` reads them; the watermark to keep once they
        are prepared (``0``: none left); whether they are the last.

        A selection of ticked records (``id in [...]``, up to 1,000,000 ids) is
        cut in Python: each chunk's query holds its own ids, not the whole selection
        again.
        """
        ids = self._aakash_ticked_ids()
        if ids is not None:
            start = bisect.bisect_right(ids, self.prepared_until)
            chunk = ids[start : start + size]
            if not chunk:
                return Model.browse(), 0, True
            records = Model.search([("id", "in", chunk)], order="id")
            return records, chunk[-1], start + size >= len(ids)
        domain = Domain(load_domain(self.res_domain)) & Domain(
            "id", ">", self.prepared_until
        )
        if self.max_res_id:
            domain &= Domain("id", "<=", self.max_res_id)
        records = Model.search(domain, order="id", limit=size)
        return records, records.ids[-1] if records else 0, len(records) < size

    def _aakash_ticked_ids(self):
        """The ids of a selection of ticked records (its domain is ``id in [...]``),
        sorted, up to the highest selected; ``None`` for another domain.

        Read once per transaction (the queue's run prepares its chunks in one cursor:
        a selection of 1,000,000 ids is not parsed again for each chunk).
        """
        cache = self.env.cr.cache.setdefault("aakash_sms_ticked_ids", {})
        if self.id not in cache:
            domain = load_domain(self.res_domain)
            ids = None
            if (
                len(domain) == 1
                and isinstance(domain[0], list | tuple)
                and list(domain[0][:2]) == ["id", "in"]
                and isinstance(domain[0][2], list | tuple)
            ):
                top = self.max_res_id or float("inf")
                ids = sorted({int(i) for i in domain[0][2] if int(i) <= top})
            cache[self.id] = ids
        return cache[self.id]

    def _aakash_documents_model(self):
        """The documents' model as the sender reads it: their rights, companies and
        language (``None`` if the model or the sender is gone)."""
        # an archived sender sends no more (the superuser is archived, and sends)
        active = self.user_id.active or self.user_id.id == SUPERUSER_ID
        if self.res_model not in self.env or not active:
            return None
        if not (self.server_action_id or self.body or self.template_id):
            return None  # its server action was deleted
        companies = self.allowed_company_ids & self.user_id.company_ids
        company_ids = [self.company_id.id] + [
            cid for cid in companies.ids if cid != self.company_id.id
        ]
        return (
            self.env[self.res_model]
            .with_user(self.user_id)
            .with_context(allowed_company_ids=company_ids, lang=self.user_id.lang)
        )

    def _aakash_sent_pairs(self, recipients):
        """The (number, text) pairs already texted by this send among the numbers of
        ``recipients``: a later copy is a duplicate, whichever chunk it is in."""
        numbers = {
            check_number(raw).number for _partner, raw in recipients.values() if raw
        } - {None, False, ""}
        if not numbers:
            return set()
        self.env["aakash.sms.message"].flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT number, body FROM aakash_sms_message"
                " WHERE send_id = %s AND number = ANY(%s)"
                " AND (error_kind IS NULL OR error_kind NOT IN %s)",
                self.id,
                list(numbers),
                PREPARED_REFUSALS,
            )
        )
        return set(self.env.cr.fetchall())
