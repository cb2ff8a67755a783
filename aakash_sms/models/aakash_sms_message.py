"""``aakash.sms.message``: the SMS log, one row per recipient of one send.

The model whole, in sections: fields, CRUD, actions, then its business: the send
paths that plan and write rows (never how they are sent), the queue's entry points
(the sending itself is :class:`.sending_queue.SmsQueue`), outcomes, delivery reports
(:class:`.report_sync.ReportSync`), Odoo's own SMS (the way back), tools.
"""

import logging
import math
import random
import time
from collections import defaultdict
from dataclasses import dataclass
from uuid import uuid4

import psycopg2.errors
import psycopg2.extensions

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL
from odoo.tools.misc import format_datetime

from ..const import (
    CHUNK_SIZE,
    FALLBACK_KINDS,
    LOCK_NAMESPACE,
    MAX_ATTEMPTS,
    OPEN_STATES,
    OUTCOMES,
    PAGES_PER_RUN,
    PREPARE_CHUNK_WAITING,
    REPORT_DAYS,
    REPORT_STATUS_TO_PROVIDER_ERROR,
    RESENDABLE_STATES,
    RESULT_STATES,
    ROUTED,
    SUCCESS_STATES,
    retry_delay_minutes,
)
from ..exceptions import TitledUserError
from ..tools import errors
from ..tools.numbers import foreign_number, network_label
from ..tools.sms_api import SmsApiAakash
from ..tools.text import gsm_safe, text_problem
from .chatter_notes import post_outcome_notes
from .models import check_number
from .reasons import REFUSAL_REASONS, CodedReason, reason_vals
from .report_sync import ReportSync
from .sending_queue import SmsQueue, in_index_order

_logger = logging.getLogger(__name__)

# rows per INSERT of :meth:`AakashSmsMessage._aakash_insert`, and a column a row leaves
# to the database (as the ORM's own INSERT does)
INSERT_BATCH = 1000
SQL_DEFAULT = psycopg2.extensions.AsIs("DEFAULT")
# the stored delivery rate of a row in a state (0 in any other)
DELIVERY_RATES = {"delivered": 100.0, "undelivered": 0.0}


@dataclass
class RowPlan:
    """One row of a send as planned, before the checks decide it.

    :param vals: the row's values (document, contact, number as typed, text, company,
        send); the checks add its number, provider and, for a refusal, its outcome
    :param refusal: why the document must not be texted at all
    :param provider: the provider forced by the caller, else the company's default
    :param text_problem: why the text could not be rendered
    """

    vals: dict
    refusal: str = None
    provider: object = None
    text_problem: str = ""


class AakashSmsMessage(models.Model):
    """One recipient of one send: what was asked, and what the gateway said.

    Rows are written only by the send paths' shared preparation
    (:meth:`_aakash_create_rows`) and by the sending queue; users read them.
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
            ("queued", "Accepted"),
            ("delivered", "Delivered"),
            ("undelivered", "Not Delivered"),
            ("rejected", "Rejected"),
            ("failed", "Failed"),
            ("uncertain", "Uncertain"),
            ("canceled", "Canceled"),
        ],
        default="pending",
        required=True,
        index=True,
        readonly=True,
        help="Accepted: the gateway took it for delivery (Aakash, or for a number "
        "outside Nepal the service that carried it). Rejected: refused (an invalid "
        "number, for example). Failed: never reached the gateway, safe to resend. "
        "Uncertain: the gateway may have it (timeout, broken reply): never resent"
        " on its own, check the Aakash report first. Canceled: a scheduled send "
        "stopped by a person before it left.",
    )
    error_kind = fields.Char(
        readonly=True, help="Machine form of the reason (see const.OUTCOMES)."
    )
    gateway = fields.Selection(
        [("aakash", "Aakash SMS"), ("iap", "Odoo IAP"), ("twilio", "Twilio")],
        default="aakash",
        readonly=True,
        help="The service that carried the SMS: Aakash, or, for a number outside "
        'Nepal with "Numbers Outside Nepal" set to route them, the service Odoo '
        "uses without Aakash.",
    )
    gateway_id = fields.Char("Gateway ID", index="btree_not_null", readonly=True)
    gateway_status = fields.Char(readonly=True)
    network = fields.Char(readonly=True)
    credits = fields.Float(readonly=True)
    reason = fields.Char(
        "Reason as Written",
        readonly=True,
        help="The reason in the language of whoever wrote it (the gateway's own "
        "words for its answers).",
    )
    reason_code = fields.Char(
        readonly=True, help="The reason's key in the table of reasons (translated)."
    )
    reason_values = fields.Json(readonly=True)
    reason_shown = fields.Char(
        "Reason",
        compute="_compute_reason_shown",
        help="Why this SMS was not sent or delivered, in your language.",
    )
    user_id = fields.Many2one(
        "res.users", "Sent By", readonly=True, default=lambda self: self.env.user
    )
    sent_date = fields.Datetime("Sent On", readonly=True)
    mail_message_id = fields.Many2one(
        "mail.message", "Chatter Note", readonly=True, index="btree_not_null"
    )
    # indexed: deleting log rows checks this self-reference (ON DELETE SET NULL)
    resend_id = fields.Many2one(
        "aakash.sms.message", "Resent As", readonly=True, index="btree_not_null"
    )
    send_ref = fields.Char(
        "Send",
        index="btree_not_null",
        readonly=True,
        help="Identifies the rows of one send, to follow its progress.",
    )
    send_id = fields.Many2one(
        "aakash.sms.send",
        "Large Send",
        index="btree_not_null",
        readonly=True,
        ondelete="set null",
        help="The send recorded at the click whose rows the queue prepared.",
    )
    send_name = fields.Char(
        "Send Summary",
        compute="_compute_send_name",
        help="The send this SMS belongs to: how many recipients, when, by whom.",
    )
    notify_sender = fields.Boolean(
        readonly=True, help="Tell the sender when this send is done (wizard sends)."
    )
    # the SMS Report's delivery rate: 100 delivered, 0 otherwise; averaged over the
    # rows whose report came back only (``_read_group_select``)
    delivery_rate = fields.Float(
        "Delivery Rate (%)",
        compute="_compute_delivery_rate",
        store=True,
        aggregator="avg",
        help="Of the SMS whose delivery report came back, the share delivered.",
    )
    attempt_count = fields.Integer("Attempts", readonly=True)
    next_attempt_date = fields.Datetime(
        "Goes Out On",
        readonly=True,
        index="btree_not_null",
        help="Not sent before this time: the time its send was scheduled at, or the "
        "next attempt after a failure that may pass. Empty: as soon as possible.",
    )
    fallback_from_id = fields.Many2one(
        "aakash.sms.provider",
        "Tried First",
        readonly=True,
        help="The provider that refused this SMS (token, IP or balance) before the "
        "company's fallback provider carried it.",
    )
    quiet_hours = fields.Boolean(
        "Within Sending Hours",
        readonly=True,
        help="Sent only within its company's sending hours (a bulk send); the others "
        "go out at any hour.",
    )
    sending_key = fields.Integer(
        readonly=True, copy=False, help="The worker sending this row."
    )
    note_due = fields.Boolean(
        "Chatter Note Due",
        readonly=True,
        copy=False,
        help="Has its outcome, its chatter note not written yet: the queue writes it "
        "once no request can leave (the sending first).",
    )
    sms_uuid = fields.Char(
        "Odoo SMS UUID",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Set when Odoo's own SMS features sent this message through Aakash.",
    )

    # One live row per Odoo SMS: a uuid is sent at most once, whoever asks again.  Only
    # rows provably never sent (rejected, failed) leave room for another attempt.
    _one_live_row_per_sms = models.UniqueIndex(
        "(sms_uuid) WHERE sms_uuid IS NOT NULL AND state NOT IN ('rejected', 'failed')",
        "This Odoo SMS is already being sent through Aakash.",
    )
    # The queue takes the due pending rows in id order (``SmsQueue._lock_candidates``):
    # an index of the pending rows alone, so that each take reads those, not every row
    # of the send already sent (without it a send of 100,000 slows down as it drains)
    _pending_queue_idx = models.Index("(id) WHERE state = 'pending'")
    # The rows whose outcome still waits for its chatter note (written by the queue
    # when no request can leave, or by its next run): found without reading the log
    _note_due_idx = models.Index("(id) WHERE note_due")

    # A document gets one row per large send, whoever prepares it and however often
    # its preparation is resumed
    _one_row_per_document_per_send = models.UniqueIndex(
        "(send_id, res_id) WHERE send_id IS NOT NULL",
        "This document already has its SMS in this send.",
    )

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

    @api.depends("state")
    def _compute_delivery_rate(self):
        for message in self:
            message.delivery_rate = DELIVERY_RATES.get(message.state, False)

    def _read_group_select(self, aggregate_spec, query):
        # the rate over the rows whose report came back only: a row still waiting
        # for its report (0 when stored) is no undelivered SMS
        if aggregate_spec == "delivery_rate:avg":
            state = self._field_to_sql(self._table, "state", query)
            return SQL(
                "AVG(CASE %s WHEN 'delivered' THEN 100.0 "
                "WHEN 'undelivered' THEN 0.0 END)",
                state,
            )
        return super()._read_group_select(aggregate_spec, query)

    @api.depends("partner_id", "number", "number_raw")
    def _compute_display_name(self):
        """ "SMS to Sita Gurung (9812345678)", "SMS to 9812345678", "SMS without a
        number": a row names its recipient, contact or not."""
        for message in self:
            number = message.number or message.number_raw
            name = message.partner_id.name
            if name and number:
                message.display_name = self.env._(
                    "SMS to %(name)s (%(number)s)", name=name, number=number
                )
            elif name or number:
                message.display_name = self.env._("SMS to %s", name or number)
            else:
                message.display_name = self.env._("SMS without a number")

    @api.depends("reason", "reason_code", "reason_values")
    @api.depends_context("lang")
    def _compute_reason_shown(self):
        """The reason in the reader's language when it has a code (rows written
        before codes, and the gateway's own words, as written)."""
        for message in self:
            message.reason_shown = message.reason
            if message.reason_code in REFUSAL_REASONS:
                values = message.reason_values
                try:
                    message.reason_shown = self._aakash_refusal_reason(
                        message.reason_code,
                        *(values if isinstance(values, list) else ()),
                        **(values if isinstance(values, dict) else {}),
                    )
                except (KeyError, TypeError, ValueError):
                    # values that no longer fit the text: as written
                    continue

    @api.depends("send_ref")
    def _compute_send_name(self):
        """A send named in words ("312 recipients · 25 Nov 12:09 · Administrator")
        wherever it shows: the log's "Send" group-by, the form, the result
        notification's log button.

        Computed when shown (not stored): counts stay right while a queued send grows
        or is resent, and the date is in the reader's time zone and language.
        """
        names = self._aakash_send_names(self.mapped("send_ref"))
        for message in self:
            message.send_name = names.get(message.send_ref, False)

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([reason_vals(vals) for vals in vals_list])

    def write(self, vals):
        return super().write(reason_vals(vals))

    @api.model
    def _aakash_insert(self, vals_list):
        """Create the rows ``vals_list`` as :meth:`create` would, in one INSERT per
        thousand rows, without the ORM's work per record (its cache, the company
        check, the inverse fields one by one): about 0.4 ms a row, which a send to
        100,000 cannot afford while its first requests are at the gateway.

        For the engine's rows only (:meth:`_aakash_create_rows`), whose values the
        checks decided: a provider is the row's company's or refused
        (:meth:`_aakash_provider_refusal`), the number normalised.  The same defaults,
        reason codes (:func:`.reasons.reason_vals`), magic columns and conversions
        as :meth:`create`; the one stored field computed on a row,
        ``delivery_rate``, is written with it (checked by the tests).

        :return: the rows, in the order of ``vals_list``
        """
        if not vals_list:
            return self.browse()
        self.check_access("create")
        # the defaults of the fields a row leaves out (its state, user, gateway...)
        defaults = self._add_missing_default_values({})
        now = self.env.cr.now()
        magic = {
            "create_uid": self.env.uid,
            "create_date": now,
            "write_uid": self.env.uid,
            "write_date": now,
        }
        rows = [dict(defaults, **reason_vals(vals), **magic) for vals in vals_list]
        for row in rows:
            row["delivery_rate"] = DELIVERY_RATES.get(row["state"], 0.0)
        fnames = sorted(
            {name for row in rows for name in row if self._fields[name].column_type}
        )
        fields_ = [self._fields[name] for name in fnames]
        ids = []
        for start in range(0, len(rows), INSERT_BATCH):
            values = [
                tuple(
                    field.convert_to_column_insert(row[field.name], self, row)
                    if field.name in row
                    else SQL_DEFAULT
                    for field in fields_
                )
                for row in rows[start : start + INSERT_BATCH]
            ]
            self.env.cr.execute(
                SQL(
                    "INSERT INTO %s (%s) VALUES %s RETURNING id",
                    SQL.identifier(self._table),
                    SQL(", ").join(map(SQL.identifier, fnames)),
                    SQL(", ").join(values),
                )
            )
            ids += [row_id for [row_id] in self.env.cr.fetchall()]
        # one2many fields whose inverse a new row sets (a send's rows) are read again
        for field in fields_:
            for inverse in self.pool.field_inverses[field]:
                self.env[inverse.model_name].invalidate_model([inverse.name])
        return self.browse(ids)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_waiting_or_sending(self):
        """A row the queue still owns keeps its place: its outcome is written on it
        (and a request's other rows are written with it)."""
        waiting = self.filtered(lambda message: message.state in OPEN_STATES)
        if waiting:
            raise TitledUserError(
                self.env._(
                    "An SMS waiting to be sent or being sent cannot be deleted "
                    "(%(number)s): wait for its outcome, then delete it.",
                    number=waiting[0].number or waiting[0].number_raw or "-",
                ),
                self.env._("SMS Still Being Sent"),
            )

    @api.model
    def _web_read_group_groupby_formatter(self, groupby_spec, values):
        """Group by send: the send in words, not its hexadecimal reference."""
        if groupby_spec != "send_ref":
            return super()._web_read_group_groupby_formatter(groupby_spec, values)
        names = self._aakash_send_names(values)

        def formatter_send(value):
            if not value:
                return False, [("send_ref", "=", False)]
            return names.get(value, value), [("send_ref", "=", value)]

        return formatter_send

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

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
            raise TitledUserError(
                self.env._(
                    "These SMS were sent by Odoo's own SMS features: resend them from "
                    "Odoo's SMS list (Settings > Technical > Phone / SMS > SMS, action "
                    "Resend)."
                ),
                self.env._("Resend From Odoo's SMS"),
            )
        candidates = (self - native).filtered(
            lambda m: m.state in RESENDABLE_STATES and not m.resend_id
        )
        if candidates:
            # wait for a concurrent resend of the same rows: it wins, this one then
            # fails to serialize.  Not lock_for_update(): it skips the rows another
            # transaction holds instead of waiting for it, and a failure to serialize
            # would be logged as a bad query
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM aakash_sms_message WHERE id IN %s "
                    "FOR NO KEY UPDATE",
                    tuple(candidates.ids),
                ),
                log_exceptions=False,
            )
            candidates.invalidate_recordset(["state", "resend_id"])
        to_resend = candidates.filtered(
            lambda m: m.state in RESENDABLE_STATES and not m.resend_id
        )
        if not to_resend:
            raise TitledUserError(
                self.env._(
                    "Only rejected or failed messages that were not resent yet can be "
                    "resent."
                ),
                self.env._("Nothing to Resend"),
            )
        chosen_sudo = self._aakash_resend_provider_sudo()
        # rows are the engine's: users never write them directly
        messages_sudo = self.sudo()
        send_ref = uuid4().hex
        # one send: the providers and the (number, text) pairs texted, shared by its
        # rows
        providers, seen = {}, set()
        planned, skipped = [], []
        for message in to_resend:
            if message.error_kind == "duplicate":
                skipped.append((message, self._aakash_refusal_reason("resent_copy")))
                continue
            # the provider chosen in the Resend dialog, else the row's (read by the
            # queue only: the user may not read it)
            provider_sudo = chosen_sudo or message.provider_id.sudo() or None
            record = (
                self.env[message.res_model].browse(message.res_id).exists()
                if message.res_model
                else None
            )
            if record:
                [plan] = self._aakash_row_plans(
                    record, {record.id: message.body}, provider_sudo, None, send_ref
                )
            else:
                plan = RowPlan(
                    {
                        "partner_id": message.partner_id.id,
                        "number_raw": message.number_raw,
                        "body": message.body,
                        "company_id": message.company_id.id,
                        "send_ref": send_ref,
                    },
                    provider=provider_sudo,
                )
            [vals] = messages_sudo._aakash_check_plans([plan], providers, seen)
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
                    (message, self._aakash_refusal_reason("number_not_corrected"))
                )
            else:
                planned.append((message, vals))
        if not planned:
            raise TitledUserError(
                self.env._(
                    "Nothing can be resent now:\n%s",
                    "\n".join(
                        f"- {message.number or message.number_raw or '-'}: {reason}"
                        for message, reason in skipped
                    ),
                ),
                self.env._("Nothing to Resend"),
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
                    f"\n- {message.number or message.number_raw or '-'}: {reason}"
                    for message, reason in skipped
                )
            )
        return action

    def _aakash_resend_provider_sudo(self):
        """The provider chosen in the Resend dialog (``aakash_sms_resend_provider_id``
        in the context, wizard/aakash_sms_resend.py), or None: one the user may read,
        then used as the queue uses providers."""
        provider_id = self.env.context.get("aakash_sms_resend_provider_id")
        if not provider_id:
            return None
        provider = self.env["aakash.sms.provider"].browse(provider_id)
        provider.check_access("read")
        # the queue sends through it whoever resends (as with the row's own)
        provider_sudo = provider.sudo()
        return provider_sudo

    def action_cancel_scheduled(self):
        """Cancel the sends of ``self`` as a whole: their rows still waiting end
        ``canceled``, noted in the chatter (a send's rows being sent go on).

        For the sender, and SMS managers (the rule of stopping a large send).
        """
        self.check_access("read")
        refs = set(self.mapped("send_ref")) - {False}
        if self.filtered("sms_uuid"):
            raise TitledUserError(
                self.env._("Odoo's own SMS are canceled in Odoo's SMS, not here."),
                self.env._("Nothing to Cancel"),
            )
        canceled = self._aakash_cancel_sends(refs)
        if not canceled:
            raise TitledUserError(
                self.env._("Nothing to cancel: every SMS of this send has left."),
                self.env._("Nothing to Cancel"),
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Scheduled SMS canceled"),
                "message": self.env._(
                    "%(count)s SMS will not be sent.", count=len(canceled)
                ),
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    @api.model
    def _aakash_cancel_sends(self, refs):
        """Cancel the rows still waiting of the sends ``refs`` (their large sends
        too), checking that the user may: the rows canceled.

        The rows are locked, skipping those a worker holds (being sent: they go on).
        """
        manager = self.env.user.has_group("aakash_sms.group_aakash_sms_manager")
        if not manager and self.search_count(
            [("send_ref", "in", list(refs)), ("user_id", "!=", self.env.uid)], limit=1
        ):
            raise AccessError(
                self.env._("Only its sender or an SMS manager may stop a send.")
            )
        # the engine's bookkeeping: the sender may stop what they started
        sends_sudo = (
            self.env["aakash.sms.send"]
            .sudo()
            .search(
                [
                    ("send_ref", "in", list(refs)),
                    ("state", "in", ("preparing", "queued")),
                ]
            )
        )
        sends_sudo.try_lock_for_update().state = "canceled"
        waiting = (
            self.sudo()
            .search([("send_ref", "in", list(refs)), ("state", "=", "pending")])
            .try_lock_for_update()
        )
        waiting.write(
            {
                "state": "canceled",
                "reason": self.env._(
                    "Canceled by %s before it was sent.", self.env.user.name
                ),
                "sent_date": fields.Datetime.now(),
            }
        )
        waiting._aakash_after_outcome()
        return waiting

    @api.model
    def _aakash_outcome_labels(self):
        """``{state: label}`` for the chatter notes and the notifications of a
        send: their accepted SMS are Aakash's (an SMS another gateway carried has
        Odoo's own SMS message instead), the log's label names no gateway."""
        labels = dict(self._fields["state"]._description_selection(self.env))
        labels["queued"] = self.env._("Accepted by Aakash")
        return labels

    def _action_notify_outcome(self):
        """A notification summarising the outcome of ``self``, for the user who
        sent."""
        states = self._aakash_outcome_labels()
        counts = defaultdict(int)
        problems = 0
        reasons = set()
        for chunk in self._aakash_read_chunks():
            for message in chunk:
                counts[message.state] += 1
                if message.state not in ("queued", "delivered", *OPEN_STATES):
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

    def _aakash_send_log_action(self):
        """The SMS log showing the rows of the send of ``self`` (one row of it)."""
        self.ensure_one()
        action = self._aakash_sms_log_action(
            [("send_ref", "=", self.send_ref)], self.send_name
        )
        action.update({"context": {"create": False}, "target": "current"})
        return action

    # ------------------------------------------------------------
    # BUSINESS: send paths (what to send: rows, never how)
    # ------------------------------------------------------------

    @api.model
    def _aakash_refusal_reason(self, kind, *args, **params):
        """The reason shown for a refusal decided before sending, in the user's
        language: the one place of these texts, for the send paths and the queue.

        :param args: or ``params``: the values of the text's placeholders
        """
        text = REFUSAL_REASONS[kind]._translate(self.env.lang)
        values = list(args) or params or False
        return CodedReason(
            text % (args or params) if args or params else text, kind, values
        )

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
            return dict.fromkeys(records.ids, "-"), self._aakash_refusal_reason(
                "template", str(exc)[:200]
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
        seen=None,
        values=None,
        opt_out=False,
        routed=None,
    ):
        """Create the log rows of one send: the only way the send paths write rows.

        By chunks of :data:`~..const.CHUNK_SIZE` records, each chunk's cache dropped
        once written when there are several (memory stays flat).

        :param records: the documents texted (the caller has read access to them)
        :param bodies: ``{record.id: text}``
        :param provider: forced provider, else each record's company default
        :param recipients: ``{record.id: (partner, number)}``, default
            :meth:`base._aakash_sms_get_recipients`
        :param text_problem: why the text could not be rendered (every row refused)
        :param seen: the (number, text) pairs this send already texts (a send
            prepared by chunks in several transactions)
        :param values: more values of every row
        :param opt_out: end each text with its recipient's opt-out link (bulk sends of
            the wizard only: ``aakash.sms.opt.out``)
        :param routed: a list, extended with the gateway key of each number outside
            Nepal handed to Odoo's own SMS (:meth:`_aakash_route_to_odoo`)
        :return: the rows, as superuser: pending, or already final when refused before
            sending (no number, landline, opted out, duplicate, bad text, document not
            to be texted, no provider)
        """
        # rows are the engine's: users never write them directly
        messages_sudo = self.sudo()
        send_ref = send_ref or uuid4().hex
        rows_ids, providers = [], {}
        seen = set() if seen is None else seen
        for chunk in self._aakash_chunks(records):
            plans = self._aakash_row_plans(
                chunk, bodies, provider, recipients, send_ref, text_problem, opt_out
            )
            vals_list = messages_sudo._aakash_check_plans(
                plans, providers, seen, route_foreign=True
            )
            routed_vals = [vals for vals in vals_list if vals.pop(ROUTED, False)]
            if routed_vals and values:
                # not due yet (Send At, a closed sending window): they wait in the
                # log as Aakash's rows do, and are handed over when due
                # (:meth:`_aakash_hand_over_routed`)
                waiting = self._aakash_routed_waiting(routed_vals, values)
                for vals in waiting:
                    vals.update(
                        number=vals["number_raw"],
                        gateway=self.env["res.company"]
                        .browse(vals["company_id"])
                        ._aakash_foreign_gateway(),
                    )
                waiting_ids = {id(vals) for vals in waiting}
                routed_vals = [
                    vals for vals in routed_vals if id(vals) not in waiting_ids
                ]
            if routed_vals:
                # numbers outside Nepal: Odoo's SMS, through its own service
                routed_ids = {id(vals) for vals in routed_vals}
                vals_list = [vals for vals in vals_list if id(vals) not in routed_ids]
                gateways = self._aakash_route_to_odoo(routed_vals)
                if routed is not None:
                    routed += gateways
            for vals in vals_list:
                vals["notify_sender"] = notify_sender
                vals.update(values or {})
            # one INSERT, not the ORM's work per row: the values are decided
            rows_ids += messages_sudo._aakash_insert(vals_list).ids
            if chunk is not records:
                self.env.flush_all()
                chunk.invalidate_recordset()
                messages_sudo.invalidate_model()
        return messages_sudo.browse(rows_ids)

    @api.model
    def _aakash_routed_waiting(self, vals_list, values):
        """The values of ``vals_list`` (numbers outside Nepal to route) that are
        not due now: the send's ``next_attempt_date`` is later, or its rows keep the
        sending hours (``quiet_hours``) and their company's window is closed."""
        later = values.get("next_attempt_date")
        if later and later > fields.Datetime.now():
            return vals_list
        if not values.get("quiet_hours"):
            return []
        closed = self._aakash_closed_windows()
        return [vals for vals in vals_list if vals["company_id"] in closed]

    @api.model
    def _aakash_hand_over_routed(self, ids):
        """Hand the due rows ``ids`` of numbers outside Nepal (rows that waited for
        their send's time) to Odoo's SMS (:meth:`_aakash_route_to_odoo`), in place of
        the rows: their log rows are written once sent, as any routed SMS's.  Called
        by the queue, which holds the rows locked; a number blacklisted while it
        waited is rejected instead.

        :return: the rows refused (opted out), with their outcome
        """
        rows = self.sudo().browse(ids)
        opted_out = self._aakash_foreign_opted_out(
            {foreign_number(row.number_raw) for row in rows}
        )
        refused = rows.filtered(lambda row: foreign_number(row.number_raw) in opted_out)
        refused.write(
            {
                "state": OUTCOMES["opted_out"][0],
                "error_kind": "opted_out",
                "reason": self._aakash_refusal_reason("opted_out"),
                "gateway_status": "not sent",
                "sent_date": fields.Datetime.now(),
                "note_due": True,
            }
        )
        handed = rows - refused
        if handed:
            self._aakash_route_to_odoo(
                [
                    {
                        "company_id": row.company_id.id,
                        "partner_id": row.partner_id.id,
                        "number_raw": row.number_raw,
                        "res_model": row.res_model,
                        "res_id": row.res_id,
                        "body": row.body,
                        "author_id": row.user_id.partner_id.id,
                    }
                    for row in handed
                ]
            )
            # Odoo's SMS has them now (committed with this): their row is written
            # when sent; these never left, nothing is lost with them
            handed.flush_recordset()
            self.env.cr.execute(
                SQL("DELETE FROM aakash_sms_message WHERE id = ANY(%s)", handed.ids)
            )
            handed.invalidate_recordset()
        return refused

    @api.model
    def _aakash_route_to_odoo(self, vals_list):
        """Hand the rows planned as ``vals_list`` (numbers outside Nepal of a company
        that routes them) to Odoo's own SMS: an SMS message on the document when it
        has a chatter, else a plain ``sms.sms``; Odoo's SMS queue sends them through
        the service Odoo uses without Aakash, and their log rows are written then,
        with that gateway (``sms.sms._aakash_log_routed``).

        :return: the gateway key of each
        """
        Sms = self.env["sms.sms"].sudo()
        gateways = []
        for vals in vals_list:
            gateways.append(
                self.env["res.company"]
                .browse(vals["company_id"])
                ._aakash_foreign_gateway()
            )
            partner_id = vals.get("partner_id") or False
            number = vals.get("number_raw")
            model = vals.get("res_model")
            record = (
                self.env[model].sudo().browse(vals.get("res_id")).exists()
                if model in self.env and vals.get("res_id")
                else None
            )
            if record and hasattr(record, "_message_sms"):
                # the engine writes on the sender's behalf, as its notes
                record.with_context(mail_create_nosubscribe=True)._message_sms(
                    vals["body"],
                    partner_ids=[partner_id] if partner_id else False,
                    sms_pid_to_number={partner_id: number} if partner_id else None,
                    sms_numbers=None if partner_id else [number],
                    sms_content=vals["body"],
                    author_id=vals.get("author_id") or self.env.user.partner_id.id,
                    put_in_queue=True,
                )
            else:
                Sms.create(
                    {
                        "number": number,
                        "body": vals["body"],
                        "partner_id": partner_id,
                        "state": "outgoing",
                    }
                )
        self.env.ref("sms.ir_cron_sms_scheduler_action").sudo()._trigger()
        return gateways

    @api.model
    def _aakash_chunks(self, records):
        """``records`` by chunks of :data:`~..const.CHUNK_SIZE`, each prefetching
        only itself (``records`` itself when it is one chunk)."""
        if len(records) <= CHUNK_SIZE:
            yield records
            return
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
    def _aakash_valid_ids(self, records, provider=None):
        """The ids of ``records`` that a send would text (:meth:`_aakash_preview`)."""
        return [
            line["res_id"]
            for line in self._aakash_preview_lines(records, provider, names=False)
            if line["valid"]
        ]

    @api.model
    def _aakash_preview_lines(self, records, provider=None, names=True):
        """:meth:`_aakash_preview`, one line at a time (by chunks for large
        selections).

        :param names: each line's ``record_name`` (else ``False``: a caller showing a
            few lines of many names only those)
        """
        providers, seen = {}, set()
        for chunk in self._aakash_chunks(records):
            plans = self._aakash_row_plans(
                chunk, dict.fromkeys(chunk.ids, "-"), provider, None, False, names=names
            )
            # decided as the send will decide it: with the queue's rights
            messages_sudo = self.sudo()
            for vals in messages_sudo._aakash_check_plans(
                plans, providers, seen, route_foreign=True
            ):
                routed = vals.pop(ROUTED, False)
                yield {
                    "res_id": vals["res_id"],
                    "record_name": vals["record_name"],
                    "partner_id": vals["partner_id"],
                    "number_raw": vals["number_raw"],
                    "number": vals["number_raw"] if routed else vals["number"],
                    "valid": not vals.get("state"),
                    "reason": routed or vals.get("reason") or False,
                }
            if chunk is not records:
                chunk.invalidate_recordset()

    @api.model
    def _aakash_row_plans(
        self,
        records,
        bodies,
        provider,
        recipients,
        send_ref,
        text_problem="",
        opt_out=False,
        names=True,
    ):
        """The :class:`RowPlan` of each record of ``records``, not checked yet.

        :param opt_out: each text ends with its recipient's opt-out link
        :param names: each row's ``record_name`` (a preview may go without)
        """
        opt_out_links = self.env["aakash.sms.opt.out"] if opt_out else None
        recipients = (
            recipients
            if recipients is not None
            else records._aakash_sms_get_recipients()
        )
        document_refusals = records._aakash_sms_document_refusals()
        has_company = "company_id" in records._fields
        plans = []
        for record in records:
            company = (record.company_id if has_company else False) or self.env.company
            partner, raw = recipients.get(record.id) or (self.env["res.partner"], "")
            vals = {
                "res_model": records._name,
                "res_id": record.id,
                "record_name": record.display_name if names else False,
                "partner_id": partner.id,
                "number_raw": raw or False,
                "body": bodies.get(record.id) or "",
                "company_id": company.id,
                "send_ref": send_ref,
            }
            if opt_out_links is not None:
                vals["body"] = opt_out_links._append(vals["body"], raw)
            plans.append(
                RowPlan(
                    vals,
                    refusal=document_refusals.get(record.id),
                    provider=provider,
                    text_problem=text_problem,
                )
            )
        return plans

    @api.model
    def _aakash_check_values(self, vals_list, providers=None, seen=None):
        """:meth:`_aakash_check_plans` for rows planned as plain values (Odoo's SMS:
        nothing forced, nothing refused beforehand)."""
        plans = [RowPlan(vals) for vals in vals_list]
        return self._aakash_check_plans(plans, providers, seen)

    @api.model
    def _aakash_check_plans(
        self, plans, providers=None, seen=None, route_foreign=False
    ):
        """Decide, before anything is sent, which rows are refused, and why.

        :param plans: a :class:`RowPlan` per row
        :param route_foreign: a number outside Nepal of a company that routes them
            (:meth:`res.company._aakash_routes_foreign_numbers`) is not refused: its
            values get the key :data:`ROUTED` (what the preview says), for
            :meth:`_aakash_route_to_odoo`
        :return: the values of the rows: each gets its ``number``, ``provider_id``,
            and for a refusal ``state``/``error_kind``/``reason``

        Within one call (or calls sharing ``seen``) a text goes to a number once:
        later copies are refused as duplicates.  Only a row that will be sent counts:
        a copy refused for another reason (its document, its provider) does not make
        the next one a duplicate.
        """
        providers = {} if providers is None else providers
        seen = set() if seen is None else seen
        Company = self.env["res.company"]
        checks = [check_number(plan.vals.get("number_raw")) for plan in plans]
        opted_out = self._aakash_opted_out(
            {check.number for check in checks if check.valid}
        )
        # the same few texts for many rows: made GSM-safe and checked once each
        safe_texts = {}
        text_problems = {}
        provider_refusals = {}  # the few (provider, company) pairs, judged once each
        routed_vals = []
        if route_foreign:
            plans, checks, routed_vals = self._aakash_check_routed(plans, checks, seen)
        vals_list = []
        for plan, check in zip(plans, checks, strict=True):
            vals = plan.vals
            vals_list.append(vals)
            company = Company.browse(vals["company_id"])
            provider = plan.provider or self._aakash_default_provider(
                company, providers
            )
            vals["number"] = check.number or False
            vals["provider_id"] = provider.id or False
            if provider.gsm_safe and vals["body"]:
                # look-alikes that would make the text Unicode, replaced
                if vals["body"] not in safe_texts:
                    safe_texts[vals["body"]] = gsm_safe(vals["body"])
                vals["body"] = safe_texts[vals["body"]]
            kind = reason = None
            if plan.refusal:
                kind, reason = "document", plan.refusal
            elif plan.text_problem:
                kind, reason = "text", plan.text_problem
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
        return vals_list + routed_vals

    @api.model
    def _aakash_default_provider(self, company, providers):
        """The default provider of ``company``, remembered in ``providers`` (``{company:
        provider}``): the queue's (superuser rights), whoever sends."""
        if company not in providers:
            providers[company] = self.env["aakash.sms.provider"]._get_default_sudo(
                company
            )
        return providers[company]

    @api.model
    def _aakash_check_routed(self, plans, checks, seen):
        """:meth:`_aakash_check_plans` for the numbers outside Nepal of companies that
        route them (:meth:`res.company._aakash_routes_foreign_numbers`): not refused
        as foreign, their values get the key :data:`ROUTED` (what the preview says),
        for :meth:`_aakash_route_to_odoo`; opted out or a copy in the same send, they
        are refused as any number.

        :return: ``(plans, checks, routed_vals)``: the other plans and their checks,
            and the values of these rows
        """
        Company = self.env["res.company"]
        routed = [
            index
            for index, (plan, check) in enumerate(zip(plans, checks, strict=True))
            if check.code == "country"
            and not plan.refusal
            and not plan.text_problem
            and Company.browse(plan.vals["company_id"])._aakash_routes_foreign_numbers()
        ]
        if not routed:
            return plans, checks, []
        opted_out = self._aakash_foreign_opted_out(
            {foreign_number(checks[index].raw) for index in routed}
        )
        gateways = dict(self._fields["gateway"]._description_selection(self.env))
        vals_list = []
        for index in routed:
            vals = plans[index].vals
            vals_list.append(vals)
            vals.update(number=False, provider_id=False)
            key = (foreign_number(checks[index].raw), vals["body"])
            kind = None
            if key[0] in opted_out:
                kind = "opted_out"
            elif key in seen:
                kind = "duplicate"
            if kind:
                vals.update(
                    state=OUTCOMES[kind][0],
                    error_kind=kind,
                    reason=self._aakash_refusal_reason(kind),
                    gateway_status="not sent",
                )
                continue
            seen.add(key)
            vals[ROUTED] = self.env._(
                "outside Nepal: sent through %(gateway)s",
                gateway=gateways[
                    Company.browse(vals["company_id"])._aakash_foreign_gateway()
                ],
            )
        routed = set(routed)
        rest = [index for index in range(len(plans)) if index not in routed]
        return [plans[i] for i in rest], [checks[i] for i in rest], vals_list

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
            archived_sudo = self.env["aakash.sms.provider"]._get_archived_default_sudo(
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
        # numbers are stored formatted (E.164, "+977..."); the written forms of a
        # Nepali number are matched as they are, without formatting each one again
        # (phone.blacklist's search would: seconds per thousand numbers)
        self.env["phone.blacklist"].flush_model(["number", "active"])
        self.env.cr.execute(
            SQL(
                "SELECT number FROM phone_blacklist WHERE active AND number = ANY(%s)",
                list(variants),
            )
        )
        return {variants[number] for [number] in self.env.cr.fetchall()}

    def _aakash_foreign_opted_out(self, numbers):
        """The numbers of ``numbers`` (E.164, numbers outside Nepal) on Odoo's phone
        blacklist (stored in E.164 too)."""
        if not numbers:
            return set()
        # the privacy list every send honours, whoever sends
        blacklist_sudo = self.env["phone.blacklist"].sudo()
        return set(
            blacklist_sudo.search([("number", "in", list(numbers))]).mapped("number")
        )

    def _aakash_queue(self):
        """Leave the pending rows of ``self`` to the queue, which is woken at once."""
        pending, final = [], []
        for chunk in self._aakash_read_chunks():
            chunk.fetch(["state"])  # (not each row's text)
            for message in chunk:
                if message.state == "pending":
                    pending.append(message.id)
                elif message.state != "sending":
                    final.append(message.id)
        if pending:
            # any sender wakes the queue, when its first row is due
            self._aakash_wake_queue(at=self.browse(pending)._aakash_due_date())
        self._post_results(self.browse(final))
        return self

    def _aakash_due_date(self):
        """When the first row of ``self`` is due (``None``: now)."""
        [[waiting]] = self._read_group(
            [("id", "in", self.ids), ("next_attempt_date", "=", False)],
            aggregates=["__count"],
        )
        if waiting:
            return None
        [[due]] = self._read_group(
            [("id", "in", self.ids)], aggregates=["next_attempt_date:min"]
        )
        return due if due and due > fields.Datetime.now() else None

    def _aakash_read_chunks(self):
        """``self`` by chunks of :data:`~..const.CHUNK_SIZE`, each one's cache dropped
        once read.

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

    # ------------------------------------------------------------
    # BUSINESS: the queue's entry points (the sending is SmsQueue's)
    # ------------------------------------------------------------

    @api.model
    def _cron_send(self):
        """Queue worker: send every due pending row, committing around each request."""
        # a cron: every company's rows and tokens
        queue_sudo = self.sudo().with_context(aakash_sms_queue=True)
        # large sends get their rows, by committed chunks, for half the cron's time
        # budget at most (the rest sends them), when less than a chunk waits: the
        # preparing and the sending take turns
        budget = self.env.context.get("cron_end_time", math.inf) - time.monotonic()
        due = queue_sudo.search_count(
            [
                ("state", "=", "pending"),
                "|",
                ("next_attempt_date", "=", False),
                ("next_attempt_date", "<=", fields.Datetime.now()),
            ],
            limit=CHUNK_SIZE,
        )
        prepare_until = None
        if due < CHUNK_SIZE:
            # a small chunk first (its requests leave sooner), the next ones while
            # they are at the gateway
            prepare_until = time.monotonic() + max(budget, 0) / 2
            queue_sudo.env["aakash.sms.send"]._cron_prepare(0, PREPARE_CHUNK_WAITING)
        key = random.randrange(1, 2**31)
        self.env.cr.execute(SQL("SELECT pg_advisory_lock(%s, %s)", LOCK_NAMESPACE, key))
        queue = SmsQueue(
            queue_sudo.browse(), key, commit=True, prepare_until=prepare_until
        )
        try:
            queue_sudo._mark_interrupted(key)
            queue.run()
        finally:
            queue.slots.release_all()
            queue_sudo._release_worker_lock(key)
        queue_sudo._aakash_wait_for_windows()
        queue_sudo._schedule_next_run()

    @api.model
    def _aakash_closed_windows(self):
        """``{company id: when its window opens}`` for the companies whose sending
        hours are closed now: their rows marked ``quiet_hours`` are not sent (the
        queue's rule, at sending)."""
        companies = (
            self.env["res.company"]
            .sudo()
            .search([("aakash_sms_quiet_hours", "=", True)])
        )
        return companies._aakash_window_openings(fields.Datetime.now())

    @api.model
    def _aakash_wait_for_windows(self):
        """Give the waiting rows held by a closed window its opening as their due
        date: the log shows when they go out, and the queue wakes then (the one
        due-date rule).  Rows another worker holds are skipped."""
        self.flush_model()
        cr = self.env.cr
        for company_id, opening in self._aakash_closed_windows().items():
            query = SQL(
                """
                UPDATE aakash_sms_message SET next_attempt_date = %(opening)s
                 WHERE id IN (
                    SELECT id FROM aakash_sms_message
                     WHERE state = 'pending' AND quiet_hours
                       AND company_id = %(company)s
                       AND (next_attempt_date IS NULL
                            OR next_attempt_date < %(opening)s)
                       FOR NO KEY UPDATE SKIP LOCKED)
                """,
                opening=opening,
                company=company_id,
            )
            try:
                with cr.savepoint(flush=False):
                    cr.execute(query, log_exceptions=False)
            except psycopg2.errors.SerializationFailure:
                continue  # changed by another worker since: its turn
        self.invalidate_model(["next_attempt_date"])

    def _aakash_send_now(self):
        """Send the pending rows of ``self`` now, inside the current transaction.

        Only for the wizard's explicit send that needs a single gateway request: the
        outcome is recorded in the same transaction.  Everything else is queued.

        :return: the rows that got an outcome
        """
        key = random.randrange(1, 2**31)
        # held until the transaction ends; nobody else sees these rows before then
        self.env.cr.execute(
            SQL("SELECT pg_advisory_xact_lock(%s, %s)", LOCK_NAMESPACE, key)
        )
        # the queue writes rows and reads the provider's token: never the user
        rows_sudo = self.sudo()
        queue = SmsQueue(rows_sudo, key, commit=False)
        try:
            return queue.run()
        finally:
            queue.slots.release_all()

    @api.model
    def _release_worker_lock(self, key):
        """Release the worker's advisory lock, quietly when the connection is gone.

        The lock is held by the database session: a lost connection (PostgreSQL
        restarted, the backend terminated) took it along, and the error that ended the
        run is the one to see, not a second one raised here.
        """
        cr = self.env.cr
        unlock = SQL("SELECT pg_advisory_unlock(%s, %s)", LOCK_NAMESPACE, key)
        try:
            cr.execute(unlock, log_exceptions=False)
        except psycopg2.Error:
            if cr.closed:
                _logger.warning(
                    "Aakash SMS: the database connection is gone, and the queue "
                    "worker's advisory lock with it (nothing to release)."
                )
                return
            # the transaction failed: the lock outlives it
            cr.rollback()
            cr.execute(unlock)

    @api.model
    def _aakash_queue_crons(self):
        """The queue's scheduled actions, as superuser (any sender wakes the queue):
        its own, and the copies a large sender made to send from several workers at
        once (Odoo runs one scheduled action on one worker at a time)."""
        crons_sudo = self.env["ir.cron"].sudo()
        return (
            crons_sudo.search(
                [
                    ("model_id.model", "=", self._name),
                    ("state", "=", "code"),
                    ("code", "=", "model._cron_send()"),
                ]
            )
            or self.env.ref("aakash_sms.ir_cron_aakash_sms_send").sudo()
        )

    @api.model
    def _aakash_wake_queue(self, at=None):
        """Run every queue worker (scheduled action) now, or at ``at``."""
        for cron_sudo in self._aakash_queue_crons():
            cron_sudo._trigger(at=at)

    def _schedule_next_run(self):
        """Wake the queue when its next row is due (rows waiting for a retry), or
        at once while chatter notes are due."""
        [[next_date]] = self._read_group(
            [("state", "=", "pending"), ("next_attempt_date", "!=", False)],
            aggregates=["next_attempt_date:min"],
        )
        if (
            self.search_count(
                [("state", "=", "pending"), ("next_attempt_date", "=", False)], limit=1
            )
            or self.env["aakash.sms.send"].search_count(
                [("state", "=", "preparing")], limit=1
            )
            # notes left by a run whose time budget ended first
            or self.search_count([("note_due", "=", True)], limit=1)
        ):
            self._aakash_wake_queue()
        elif next_date:
            self._aakash_wake_queue(at=next_date)

    @api.model
    def _mark_interrupted(self, own_key=None):
        """Rows left ``sending`` by a worker that is gone become uncertain (never sent
        again), their attempt counted: their request may have left when they were
        marked ``sending``."""
        self.flush_model()
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT DISTINCT sending_key FROM aakash_sms_message"
                " WHERE state = 'sending'"
            )
        )
        dead = []
        for (key,) in cr.fetchall():
            if key == own_key:
                continue
            if not key:
                dead.append(key)
                continue
            cr.execute(SQL("SELECT pg_try_advisory_lock(%s, %s)", LOCK_NAMESPACE, key))
            if cr.fetchone()[0]:
                cr.execute(
                    SQL("SELECT pg_advisory_unlock(%s, %s)", LOCK_NAMESPACE, key)
                )
                dead.append(key)
        if not dead:
            return self.browse()
        domain = [("state", "=", "sending")]
        keys = [key for key in dead if key]
        if None in dead or 0 in dead:
            domain += ["|", ("sending_key", "in", keys), ("sending_key", "=", False)]
        else:
            domain.append(("sending_key", "in", keys))
        stale = self.search(domain).try_lock_for_update(allow_referencing=True)
        reason = self._aakash_refusal_reason("interrupted")
        # marked 'sending' (their last write) just before the request could leave
        for (attempts, marked), rows in stale.grouped(
            lambda message: (message.attempt_count, message.write_date)
        ).items():
            rows.write(
                {
                    "state": "uncertain",
                    "error_kind": "maybe_sent",
                    "reason": reason,
                    "attempt_count": attempts + 1,
                    "sent_date": marked or fields.Datetime.now(),
                }
            )
        stale._aakash_after_outcome()
        return stale

    def _notify_completed_sends(self):
        """Tell each user whose send has no open row left, once (queued sends only)."""
        if not self.env.context.get("aakash_sms_queue"):
            return
        refs, large_refs = set(), set()
        for chunk in self._aakash_read_chunks():
            chunk.fetch(["notify_sender", "send_ref", "send_id"])
            for message in chunk:
                if message.notify_sender:
                    refs.add(message.send_ref)
                if message.send_id:
                    large_refs.add(message.send_ref)
        refs.discard(False)
        if not refs and not large_refs:
            return
        open_refs = {
            ref
            for [ref] in self._read_group(
                [
                    ("send_ref", "in", list(refs | large_refs)),
                    ("state", "in", OPEN_STATES),
                ],
                ["send_ref"],
            )
        }
        # a large send is finished once every recipient is prepared and sent
        sends = self.env["aakash.sms.send"].search(
            [("send_ref", "in", list(refs | large_refs))]
        )
        open_refs |= set(
            sends.filtered(lambda s: s.state == "preparing").mapped("send_ref")
        )
        sends.filtered(
            lambda s: s.state == "queued" and s.send_ref not in open_refs
        ).state = "done"
        for ref in refs - open_refs:
            messages = self.search([("send_ref", "=", ref)])
            sender = messages[:1].user_id
            # in the sender's language and time zone (the send's name holds a date)
            messages = messages.with_context(lang=sender.lang, tz=sender.tz)
            action = messages._action_notify_outcome()["params"]
            recipients = (
                messages.env._("1 recipient:")
                if len(messages) == 1
                else messages.env._("%(count)s recipients:", count=len(messages))
            )
            # replaces the notification shown when the send was queued
            sender._bus_send(
                "aakash_sms_send_done",
                {
                    "send_ref": ref,
                    "title": messages.env._("SMS send finished"),
                    "message": f"{recipients}\n{action['message']}",
                    "sticky": True,
                    "type": action["type"],
                    "buttons": [
                        {
                            "name": messages.env._("Open in SMS Log"),
                            "action": messages[:1]._aakash_send_log_action(),
                        }
                    ],
                },
            )

    # ------------------------------------------------------------
    # BUSINESS: outcomes (written by the queue, shown in the chatter)
    # ------------------------------------------------------------

    def _record_outcome(self, request, outcome, retry):
        """Write what one request gave for its rows ``self`` (``request.ids`` order).

        :param request: the :class:`.sending_queue.Request`
        :param outcome: the client's results, or what it raised
        :param retry: a failure that may pass later goes back to the queue
        :return: the rows written: those that still exist
        """
        now = fields.Datetime.now()
        # the cache was emptied by the commit since the request left: the counts taken
        # with it
        attempts_before = request.attempts or self.mapped("attempt_count")
        if isinstance(outcome, errors.AakashError) and not outcome.maybe_sent:
            # raised before the request could leave: provably not sent
            values = self._not_sent_values(outcome, attempts_before, now, retry)
        elif (
            isinstance(outcome, BaseException)
            or not isinstance(outcome, list)
            or len(outcome) != len(self)
        ):
            # anything unexpected once the request may have left: uncertain, never
            # resent on its own
            _logger.warning(
                "Aakash SMS: unexpected result for rows %s: %r",
                self.ids,
                type(outcome).__name__,
            )
            reason = self.env._(
                "May have been sent: the gateway's answer could not be read "
                "(%s). Check the Aakash report before sending it again.",
                type(outcome).__name__,
            )
            values = [
                (
                    message_id,
                    "uncertain",
                    "maybe_sent",
                    None,
                    None,
                    None,
                    0,
                    reason,
                    attempts + 1,
                    None,
                )
                for message_id, attempts in zip(self.ids, attempts_before, strict=True)
            ]
        else:
            values = self._result_values(outcome, attempts_before, now, retry)
        written = self._write_outcomes(values, now)
        # (from the values: the rows' fields are not read again for each request)
        failed = {row[0] for row in values if row[1] == "failed"}
        if retry and failed:
            written.browse(
                [i for i in written.ids if i in failed]
            )._aakash_to_fallback()
        return written

    def _aakash_to_fallback(self):
        """Queue again through their company's fallback provider the rows of ``self``
        that failed for a reason a person must fix (:data:`~..const.FALLBACK_KINDS`):
        provably not sent.  Once per row; never an uncertain row."""
        failed = self.filtered(
            lambda m: m.state == "failed"
            and m.error_kind in FALLBACK_KINDS
            and not m.fallback_from_id
        )
        if not failed:
            return self.browse()
        fallbacks = {
            provider.company_id.id: provider
            for provider in self.env["aakash.sms.provider"].search(
                [
                    ("is_fallback", "=", True),
                    ("company_id", "in", failed.company_id.ids),
                ]
            )
        }
        moved = self.browse()
        for (provider, fallback, reason), rows in failed.grouped(
            lambda m: (m.provider_id, fallbacks.get(m.company_id.id), m.reason)
        ).items():
            if not fallback or fallback == provider:
                continue
            rows.write(
                {
                    "state": "pending",
                    "provider_id": fallback.id,
                    "fallback_from_id": provider.id,
                    "error_kind": False,
                    "gateway_status": False,
                    "next_attempt_date": False,
                    "reason": self.env._(
                        "Refused by %(provider)s (%(reason)s): sent through the "
                        "fallback provider %(fallback)s.",
                        provider=provider.name,
                        reason=reason,
                        fallback=fallback.name,
                    ),
                }
            )
            moved |= rows
        return moved

    def _not_sent_values(self, error, attempts_before, now, retry):
        """The outcome values of the rows ``self`` of a request stopped before it
        could leave by ``error``: failed, or pending for another attempt."""
        kind = error.kind if error.kind in OUTCOMES else "validation"
        reason = error.message
        if isinstance(error, errors.NotSentError):
            reason = self.env._(
                "Nothing was sent: the request was stopped before it left (%s).",
                error.message,
            )
        values = []
        for message_id, attempts in zip(self.ids, attempts_before, strict=True):
            attempts += 1
            state, next_attempt = "failed", None
            if retry and OUTCOMES[kind][1] and attempts < MAX_ATTEMPTS:
                # provably never reached Aakash: the queue tries again later
                state = "pending"
                next_attempt = fields.Datetime.add(
                    now, minutes=retry_delay_minutes(attempts)
                )
            values.append(
                (
                    message_id,
                    state,
                    kind,
                    None,
                    "not sent",
                    None,
                    0,
                    reason,
                    attempts,
                    next_attempt,
                )
            )
        return values

    def _result_values(self, outcome, attempts_before, now, retry):
        """The outcome values of the rows ``self`` from the client's results."""
        values = []
        for message, result, attempts in zip(
            self, outcome, attempts_before, strict=False
        ):
            state = RESULT_STATES.get(result.state, "uncertain")
            kind = False
            if state == "failed":
                kind = (
                    result.error_kind if result.error_kind in OUTCOMES else "transport"
                )
            elif state == "rejected":
                kind = "refused"
            elif state == "uncertain":
                kind = "maybe_sent"
            attempts += 1
            reason = result.reason or None
            if state == "uncertain":
                reason = self.env._(
                    "May have been sent: %(reason)s Check the Aakash report before "
                    "sending it again.",
                    reason=result.reason or "",
                )
            next_attempt = None
            if (
                state == "failed"
                and retry
                and OUTCOMES[kind][1]
                and attempts < MAX_ATTEMPTS
            ):
                # provably never reached Aakash: the queue tries again later
                state, next_attempt = (
                    "pending",
                    fields.Datetime.add(now, minutes=retry_delay_minutes(attempts)),
                )
            values.append(
                (
                    message.id,
                    state,
                    kind or None,
                    result.message_id or None,
                    result.gateway_status or None,
                    network_label(result.network) or None,
                    result.credits or 0,
                    reason,
                    attempts,
                    next_attempt,
                )
            )
        return values

    def _write_outcomes(self, values, now):
        """Write the outcomes of one request in one UPDATE (not one write per row).

        A row may have been deleted meanwhile (by SQL: the log refuses it): the others
        are written all the same.

        :param values: ``(id, state, error_kind, gateway_id, gateway_status, network,
            credits, reason, attempt_count, next_attempt_date or None to keep it)`` per
            row
        :return: the rows written (locked until the transaction ends)
        """
        fnames = [
            "state",
            "error_kind",
            "gateway_id",
            "gateway_status",
            "network",
            "credits",
            "reason",
            "attempt_count",
            "next_attempt_date",
            "sent_date",
            "write_uid",
            "write_date",
            "note_due",
            "delivery_rate",
        ]
        self.flush_recordset(fnames)
        if not values:
            return self.browse()
        rows = SQL(", ").join(
            SQL(
                "(%s::int, %s::varchar, %s::varchar, %s::varchar, %s::varchar,"
                " %s::varchar, %s::float8, %s::varchar, %s::int, %s::timestamp)",
                *row,
            )
            for row in values
        )
        self.env.cr.execute(
            SQL(
                """
                UPDATE aakash_sms_message AS m
                   SET state = v.state, error_kind = v.error_kind,
                       gateway_id = v.gateway_id, gateway_status = v.gateway_status,
                       network = v.network, credits = v.credits, reason = v.reason,
                       attempt_count = v.attempt_count,
                       next_attempt_date = COALESCE(
                           v.next_attempt_date, m.next_attempt_date
                       ),
                       sent_date = %s, write_uid = %s, write_date = %s,
                       -- its computed field (_compute_delivery_rate) with it
                       delivery_rate = CASE v.state WHEN 'delivered' THEN 100.0
                                       ELSE 0.0 END,
                       -- a final outcome of a document's row: its chatter note is
                       -- due (the queue writes it when no request can leave)
                       note_due = v.state NOT IN %s
                           AND m.res_id IS NOT NULL AND m.sms_uuid IS NULL
                           AND m.mail_message_id IS NULL
                  FROM (VALUES %s) AS v(
                       id, state, error_kind, gateway_id, gateway_status, network,
                       credits, reason, attempt_count, next_attempt_date
                       )
                 WHERE m.id = v.id
             RETURNING m.id
                """,
                now,
                self.env.uid,
                now,
                OPEN_STATES,
                rows,
            )
        )
        written = {row_id for [row_id] in self.env.cr.fetchall()}
        self.invalidate_recordset(fnames)
        written_rows = self.browse([i for i in self.ids if i in written])
        written_rows.modified(fnames)
        # written above: not computed again row by row
        self.env.remove_to_compute(self._fields["delivery_rate"], written_rows)
        return written_rows

    def _aakash_after_outcome(self, defer_notes=False):
        """What follows an outcome: the chatter note; Odoo's SMS for bridged rows.

        :param defer_notes: the queue's: the rows are already marked ``note_due``
            with their outcome, their note is written later
            (:meth:`_aakash_post_due_notes`), once no request can leave: the sending
            first
        """
        # only what decides it is read (not each row's text and document)
        self.fetch(["state", "sms_uuid"])
        final = self.filtered(lambda m: m.state not in OPEN_STATES)
        if not defer_notes:
            final._post_results()
        final.filtered("sms_uuid")._aakash_update_native_sms()

    @api.model
    def _aakash_post_due_notes(self, limit, ids=None):
        """Write the chatter notes of up to ``limit`` rows marked ``note_due`` (of
        ``ids`` if given), oldest first, and unmark them, in the caller's transaction.

        The rows are locked first, skipping those another worker holds: committed
        with their notes, a row is never noted twice.

        :return: how many rows were taken (0: none left), ``None`` when another
            worker changed rows since this transaction's snapshot (commit, then try
            again)
        """
        self.flush_model()
        cr = self.env.cr
        query = self._aakash_due_notes_query(limit, ids)
        try:
            with in_index_order(cr), cr.savepoint(flush=False):
                cr.execute(query, log_exceptions=False)
                taken = [row_id for [row_id] in cr.fetchall()]
        except psycopg2.errors.SerializationFailure:
            return None
        if not taken:
            return 0
        rows = self.browse(taken)
        rows.invalidate_recordset(["note_due", "mail_message_id"])
        # noted, linked to their note and unmarked together (rows without a note
        # too: a bridged row, a document without chatter)
        rows.filtered(lambda m: not m.mail_message_id)._post_results(unmark=rows)
        return len(taken)

    @api.model
    def _aakash_due_notes_query(self, limit, ids=None):
        """The query of :meth:`_aakash_post_due_notes` (run within
        :func:`.sending_queue.in_index_order`)."""
        return SQL(
            """
            SELECT id FROM aakash_sms_message
             WHERE note_due %s
             ORDER BY id
             LIMIT %s
               FOR NO KEY UPDATE SKIP LOCKED
            """,
            SQL("AND id = ANY(%s)", list(ids)) if ids is not None else SQL(),
            limit,
        )

    def _post_results(self, messages=None, unmark=None):
        """One chatter note per document listing its recipients' outcomes, in batch
        (:func:`.chatter_notes.post_outcome_notes`), each row linked to its note.

        Rows of Odoo's own SMS (``sms_uuid``) get none: Odoo's message shows them.

        :param unmark: rows whose ``note_due`` is cleared with the links (the
            queue's)
        """
        rows = (self if messages is None else messages).filtered(
            lambda m: not m.sms_uuid
        )
        notes = post_outcome_notes(rows) if rows else {}
        unmark = unmark if unmark is not None else self.browse()
        if not notes and not unmark:
            return
        # the engine's bookkeeping (rows are never written by users): one UPDATE,
        # not one write per note
        self.flush_model(["mail_message_id", "note_due"])
        values = [
            (row_id, notes.get(row_id)) for row_id in set(notes) | set(unmark.ids)
        ]
        self.env.cr.execute(
            SQL(
                """
                UPDATE aakash_sms_message AS m
                   SET mail_message_id = COALESCE(v.note, m.mail_message_id),
                       note_due = FALSE
                  FROM (VALUES %s) AS v(id, note)
                 WHERE m.id = v.id
                """,
                SQL(", ").join(
                    SQL("(%s::int, %s::int)", row_id, note) for row_id, note in values
                ),
            )
        )
        linked = self.browse([row_id for row_id, _note in values])
        linked.invalidate_recordset(["mail_message_id", "note_due"])

    # ------------------------------------------------------------
    # BUSINESS: delivery reports
    # ------------------------------------------------------------

    @api.model
    def _cron_sync_reports(self, days=REPORT_DAYS, max_pages=PAGES_PER_RUN):
        """Update accepted rows from Aakash's report of sent messages (matched by
        gateway id).

        The report lists every SMS of the account, newest first.  Each run reads at
        most ``max_pages`` pages per provider, and stops early once every open row is
        found or a page holds only SMS older than the oldest open row; the next run
        goes on from the page where this one stopped, so a large send is reconciled
        over a few runs.  Two rows sharing one gateway id are matched by number too;
        when that cannot tell them apart they are flagged, never half-updated.
        """
        rows_sudo = self.sudo()  # a cron: reads every company's rows and providers
        since = fields.Datetime.subtract(fields.Datetime.now(), days=days)
        open_rows = rows_sudo.search(
            [
                ("state", "=", "queued"),
                ("gateway_id", "!=", False),
                ("sent_date", ">=", since),
            ]
        )
        updated = rows_sudo.browse()
        for provider, rows in open_rows.grouped("provider_id").items():
            if not provider:
                continue
            updated |= ReportSync(provider, rows, max_pages).run()
        updated._on_report_update()
        return updated

    def _on_report_update(self):
        """Called with the rows whose state a delivery report changed."""
        self._aakash_update_native_trackers()
        return True

    # ------------------------------------------------------------
    # BUSINESS: Odoo's own SMS (``sms.sms``), the way back
    # ------------------------------------------------------------
    # The bridge (``tools/sms_api.py``) only creates rows; the queue sends them; here
    # the final state of a row is written back onto Odoo's SMS, its notification and
    # its marketing trace, after the table in ``const.py``.

    def _aakash_provider_state(self):
        """``(provider state, failure reason)`` of this row for
        ``sms.sms._send_with_api``."""
        self.ensure_one()
        if self.state in OPEN_STATES:
            return "processing", False
        if self.state in SUCCESS_STATES and self.state != "undelivered":
            return SUCCESS_STATES[self.state], False
        kind = self.error_kind if self.error_kind in OUTCOMES else "maybe_sent"
        return OUTCOMES[kind][2], self.reason or False

    def _aakash_update_native_sms(self):
        """Write the final state of the bridged rows ``self`` onto Odoo's SMS and
        trackers."""
        rows = self.filtered(lambda m: m.sms_uuid and m.state not in OPEN_STATES)
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
        # the trackers told the web client of the notifications they changed, once
        # per outcome: a mass send's notes have none, and nothing to tell

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
        # one update per report status, as the queue writes outcomes: the trackers
        # tell the web client once of the notifications they changed
        groups = defaultdict(list)
        for message in native:
            tracker = by_uuid.get(message.sms_uuid)
            if not tracker:
                continue
            delivered = message.state == "delivered"
            status = "" if delivered else (message.gateway_status or "").strip().lower()
            reason = False if delivered else message.gateway_status or False
            groups[delivered, status, reason].append(tracker.id)
        updated = trackers_sudo.browse()
        for (delivered, status, reason), tracker_ids in groups.items():
            trackers = trackers_sudo.browse(tracker_ids)
            if delivered:
                trackers._action_update_from_sms_state("sent")
            else:
                trackers.with_context(
                    sms_known_failure_reason=reason
                )._action_update_from_provider_error(
                    REPORT_STATUS_TO_PROVIDER_ERROR.get(status, "not_delivered")
                )
            updated |= trackers
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

    # ------------------------------------------------------------
    # TOOLS
    # ------------------------------------------------------------

    @api.model
    def _aakash_send_names(self, refs):
        """``{send_ref: name in words}`` for ``refs``, in one query."""
        refs = [ref for ref in set(refs) if ref]
        if not refs:
            return {}
        # the size of a send the reader sees one row of, whoever sent the rest
        messages_sudo = self.sudo()
        groups = messages_sudo._read_group(
            [("send_ref", "in", refs)],
            ["send_ref"],
            ["__count", "create_date:min", "user_id:array_agg"],
        )
        # the sender's name, as the chatter shows it
        user_ids = {uid for _ref, _count, _date, uids in groups for uid in uids if uid}
        users_sudo = self.env["res.users"].sudo().browse(user_ids).exists()
        # a large send by its name and progress, whoever reads the log
        sends_sudo = (
            self.env["aakash.sms.send"].sudo().search([("send_ref", "in", refs)])
        )
        sends = {send.send_ref: send for send in sends_sudo}
        names = {}
        for ref, count, date, user_ids in groups:
            user = users_sudo.filtered(lambda u, ids=user_ids: u.id in ids)[:1]
            recipients = (
                self.env._("1 recipient")
                if count == 1
                else self.env._("%s recipients", count)
            )
            if ref in sends:
                recipients = f"{sends[ref].name}: {sends[ref].progress}"
            when = format_datetime(
                self.env,
                date,
                tz=self.env.user.tz or "Asia/Kathmandu",
                dt_format="d MMM HH:mm",
            )
            names[ref] = " · ".join(filter(None, [recipients, when, user.name]))
        return names
