import logging
import uuid
from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.misc import format_amount

from odoo.addons.aakash_sms.models.models import check_number

from .aakash_sms_reminder import (
    OPEN_PAYMENT_STATES,
    REMINDER_LOCK_NAMESPACE,
    reminder_day,
)

_logger = logging.getLogger(__name__)


class AccountMove(models.Model):
    _inherit = "account.move"

    aakash_sms_count = fields.Integer(
        "SMS",
        compute="_compute_aakash_sms_count",  # the base model's, as for contacts
        groups="aakash_sms.group_aakash_sms_user",
        help="SMS sent through Aakash about this document.",
    )
    aakash_sms_confirmation_sent = fields.Boolean(
        "Confirmation SMS Queued",
        copy=False,
        readonly=True,
        help="Set once the customer was texted about this invoice's confirmation; "
        "confirming it again after a reset to draft does not text again.",
    )

    aakash_sms_reminder_ids = fields.One2many(
        "aakash.sms.reminder",
        "move_id",
        "SMS Reminders",
        readonly=True,
        groups="account.group_account_invoice,account.group_account_readonly",
        help="The payment reminders texted about this invoice: each step once.",
    )
    aakash_sms_partial_sent = fields.Boolean(
        "Partial Payment SMS Queued", copy=False, readonly=True
    )
    aakash_sms_paid_sent = fields.Boolean(
        "Payment Received SMS Queued", copy=False, readonly=True
    )
    aakash_sms_can_remind = fields.Boolean(
        "Can Be Reminded", compute="_compute_aakash_sms_can_remind"
    )
    # what the reminder templates say (computed when rendered, in the customer's
    # language)
    aakash_sms_days_overdue = fields.Integer(
        "Days Overdue", compute="_compute_aakash_sms_days_overdue"
    )
    aakash_sms_overdue_names = fields.Char(
        "Overdue Invoices",
        compute="_compute_aakash_sms_overdue",
        help="This invoice and the customer's other overdue invoices of the company.",
    )
    aakash_sms_overdue_amount = fields.Char(
        "Overdue Amount",
        compute="_compute_aakash_sms_overdue",
        help="What is due on them, in their currency.",
    )

    def _compute_aakash_sms_days_overdue(self):
        today = fields.Date.context_today(self)
        for move in self:
            due = move.invoice_date_due
            move.aakash_sms_days_overdue = max((today - due).days, 0) if due else 0

    def _compute_aakash_sms_can_remind(self):
        today = fields.Date.context_today(self)
        for move in self:
            move.aakash_sms_can_remind = bool(
                move.move_type == "out_invoice"
                and move.state == "posted"
                and move.payment_state in OPEN_PAYMENT_STATES
                and move.invoice_date_due
                and move.invoice_date_due < today
            )

    @api.depends_context("lang")
    def _compute_aakash_sms_overdue(self):
        """The customer's overdue invoices (this one first) and their total, in
        one query for all of ``self``."""
        today = fields.Date.context_today(self)
        moves = self.filtered(lambda m: isinstance(m.id, int))
        others = defaultdict(list)
        if moves:
            # the customer's other invoices, whoever renders the template
            moves_sudo = self.sudo()
            for other in moves_sudo.search_fetch(
                [
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("payment_state", "in", OPEN_PAYMENT_STATES),
                    ("invoice_date_due", "<", today),
                    ("commercial_partner_id", "in", moves.commercial_partner_id.ids),
                    ("company_id", "in", moves.company_id.ids),
                ],
                ["name", "currency_id", "amount_residual", "invoice_date_due"],
                order="invoice_date_due, id",
            ):
                others[other.commercial_partner_id.id, other.company_id.id].append(
                    other
                )
        for move in self:
            listed = [move] + [
                other
                for other in others.get(
                    (move.commercial_partner_id.id, move.company_id.id), []
                )
                if other.id != move.id
            ]
            totals = defaultdict(float)
            for invoice in listed:
                totals[invoice.currency_id] += invoice.amount_residual
            move.aakash_sms_overdue_names = ", ".join(
                invoice.name for invoice in listed if invoice.name
            )
            move.aakash_sms_overdue_amount = " + ".join(
                format_amount(self.env, amount, currency)
                for currency, amount in totals.items()
                if currency
            )

    def _aakash_sms_textable(self):
        """The invoices of ``self`` whose customer has a Nepali mobile that is not
        opted out (the others are not reminded: no row, no claim)."""
        recipients = self._aakash_sms_get_recipients()
        numbers = {}
        for move in self:
            check = check_number(recipients.get(move.id, (None, ""))[1] or "")
            if check.valid:
                numbers[move.id] = check.number
        opted_out = self.env["aakash.sms.message"]._aakash_opted_out(
            set(numbers.values())
        )
        return self.filtered(
            lambda m: m.id in numbers and numbers[m.id] not in opted_out
        )

    def _aakash_sms_ensure_access_tokens(self):
        """Give the invoices of ``self`` their portal access token, in one query.

        What ``get_portal_url`` does one ``write`` at a time (an invoice's ``write``
        also syncs its lines: 70 ms each), before the templates render their links.
        """
        missing = self.filtered(lambda move: not move.access_token)
        if not missing:
            return
        self.env.cr.execute(
            SQL(
                "UPDATE account_move AS m SET access_token = v.token "
                "FROM (VALUES %s) AS v(id, token) "
                "WHERE m.id = v.id AND m.access_token IS NULL",
                SQL(", ").join(
                    SQL("(%s, %s)", move_id, str(uuid.uuid4()))
                    for move_id in missing.ids
                ),
            )
        )
        missing.invalidate_recordset(["access_token"])

    def action_aakash_sms_remind_now(self):
        """Text the customer a payment reminder now, with the rules of the daily
        reminders, recorded as a manual reminder."""
        self.ensure_one()
        self.check_access("read")
        if not self.aakash_sms_can_remind:
            raise UserError(
                self.env._(
                    "Only a confirmed customer invoice that is overdue and not paid "
                    "gets a payment reminder."
                )
            )
        customer = self.commercial_partner_id
        if customer.aakash_sms_no_reminders or self.partner_id.aakash_sms_no_reminders:
            raise UserError(
                self.env._("%s gets no SMS reminders (see the contact).", customer.name)
            )
        if not self._aakash_sms_textable():
            raise UserError(
                self.env._(
                    "%s has no Nepali mobile number that can be texted (no number, "
                    "not a mobile, or opted out).",
                    self.partner_id.display_name,
                )
            )
        today = reminder_day(self.company_id)
        # the reminders are the engine's bookkeeping: the button's user may not write
        # them, the cron's rules apply
        reminders_sudo = self.env["aakash.sms.reminder"].sudo()
        # waits for the cron or another user texting this customer now
        self.env.cr.execute(
            SQL(
                "SELECT pg_advisory_xact_lock(%s, %s)",
                REMINDER_LOCK_NAMESPACE,
                customer.id,
            )
        )
        claimed = reminders_sudo._claim(
            {(customer.id, self.company_id.id): [(self.id, None, 0)]},
            today,
            manual=True,
        )
        if not claimed:
            raise UserError(
                self.env._(
                    "%s already got a payment reminder today: one a day at most.",
                    customer.name,
                )
            )
        claimed._text()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Payment reminder queued"),
                "message": self.env._(
                    "SMS to %s queued.", claimed.message_id.number or "-"
                ),
                "type": "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # ------------------------------------------------------------
    # Payment received
    # ------------------------------------------------------------

    def _compute_payment_state(self):
        """Whatever paid the invoice (the register-payment wizard, a bank statement,
        the portal), the payment state changes here: the receipt SMS is queued at the
        end of the transaction, once the amounts are final."""
        super()._compute_payment_state()
        to_text = self.filtered(
            lambda m: isinstance(m.id, int)
            and m.move_type == "out_invoice"
            and m.state == "posted"
            and m._aakash_sms_receipt_due()
        )
        if not to_text:
            return
        precommit = self.env.cr.precommit
        ids = precommit.data.setdefault("aakash_sms_account.receipt_ids", set())
        if not ids:
            env = self.env

            def queue_receipts():
                moves = env["account.move"].browse(sorted(ids)).exists()
                moves._aakash_sms_queue_receipts()

            precommit.add(queue_receipts)
        ids.update(to_text.ids)

    def _aakash_sms_receipt_due(self):
        """The receipt this invoice is due now: 'partial', 'paid' or ''."""
        self.ensure_one()
        if (
            not self.company_id.aakash_sms_payment_receipt
            or self.aakash_sms_paid_sent
            # nothing to pay: "paid" as soon as confirmed, nobody paid anything
            or self.currency_id.is_zero(self.amount_total)
        ):
            return ""
        if self.payment_state in ("paid", "in_payment"):
            return "paid"
        if self.payment_state == "partial" and not self.aakash_sms_partial_sent:
            return "partial"
        return ""

    def _aakash_sms_queue_receipts(self):
        """Queue the "payment received" SMS of the invoices of ``self`` that are due
        one: once when partly paid (what remains), once when paid.  Never raises: a
        payment is never blocked by SMS."""
        due = {
            move: kind
            for move in self
            if move.move_type == "out_invoice"
            and move.state == "posted"
            and (kind := move._aakash_sms_receipt_due())
        }
        if not due:
            return
        to_text = self.browse([move.id for move in due])
        try:
            with self.env.cr.savepoint():
                Message = self.env["aakash.sms.message"]
                messages_sudo = Message.sudo()
                for company, moves in to_text.grouped("company_id").items():
                    # the company's setting, whoever registered the payment
                    template_sudo = company.sudo()._aakash_sms_payment_template()
                    bodies, problem = Message._aakash_render(
                        lambda recs, template=template_sudo: template._render_field(
                            "body", recs.ids, compute_lang=True
                        ),
                        moves,
                    )
                    messages_sudo |= Message._aakash_create_rows(
                        moves, bodies, text_problem=problem
                    )
                # the flags are the engine's bookkeeping
                for move, kind in due.items():
                    move_sudo = move.sudo()
                    move_sudo.aakash_sms_partial_sent = True
                    if kind == "paid":
                        move_sudo.aakash_sms_paid_sent = True
                messages_sudo._aakash_queue()
                to_text._aakash_sms_note_queued(
                    messages_sudo, self.env._("Payment received")
                )
        except Exception:  # noqa: BLE001 - an SMS problem must never block a payment
            _logger.exception(
                "Aakash SMS: could not queue the payment SMS of invoices %s",
                to_text.ids,
            )

    def _aakash_sms_document_refusals(self):
        """Draft and cancelled entries are not texted: amounts and numbers not final."""
        reasons = {
            "draft": self.env._("the invoice is a draft: confirm it first"),
            "cancel": self.env._("the invoice is cancelled"),
        }
        return {move.id: reasons[move.state] for move in self if move.state in reasons}

    def action_aakash_sms_view_messages(self):
        return self._aakash_sms_open_log()

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._aakash_sms_queue_confirmation()
        return posted

    def _aakash_sms_queue_confirmation(self):
        """Queue the confirmation SMS of newly posted customer invoices.

        Rule: customer invoices only (no credit notes, vendor bills or
        entries), once per invoice, when the company turned it on.  Anyone who
        may post the invoice gets its SMS queued, SMS groups or not.  Nothing
        is sent inside the posting transaction: the rows are queued for the
        cron, and any error here is logged, never raised, so confirming an
        invoice cannot fail because of SMS.
        """
        to_text = self.filtered(
            lambda move: move.move_type == "out_invoice"
            and move.state == "posted"
            and not move.aakash_sms_confirmation_sent
            and move.company_id.aakash_sms_invoice_confirm
        )
        if not to_text:
            return
        try:
            with self.env.cr.savepoint():
                Message = self.env["aakash.sms.message"]
                # an empty start: the rows are the engine's, created in sudo mode
                messages_sudo = Message.sudo()
                for company, moves in to_text.grouped("company_id").items():
                    # the template is the company's setting (the poster may not read
                    # it), rendered on documents the user just posted
                    company_sudo = company.sudo()
                    template_sudo = company_sudo._aakash_sms_invoice_template()
                    bodies, problem = Message._aakash_render(
                        lambda recs, template=template_sudo: template._render_field(
                            "body", recs.ids, compute_lang=True
                        ),
                        moves,
                    )
                    # the one notification of who confirmed: when the queue is done
                    messages_sudo |= Message._aakash_create_rows(
                        moves, bodies, text_problem=problem, notify_sender=True
                    )
                # the flag is the engine's bookkeeping, not a field the poster edits
                moves_sudo = to_text.sudo()
                moves_sudo.aakash_sms_confirmation_sent = True
                messages_sudo._aakash_queue()
                to_text._aakash_sms_note_queued(messages_sudo)
        except Exception:  # noqa: BLE001 - an SMS problem must never block an invoice
            _logger.exception(
                "Aakash SMS: could not queue the confirmation SMS of invoices %s",
                to_text.ids,
            )

    def _aakash_sms_note_queued(self, messages, label=None):
        """A line on each invoice, by who confirmed (or paid) it: the SMS is on its
        way."""
        by_move = messages.filtered(lambda m: m.state == "pending").grouped("res_id")
        for move in self:
            rows = by_move.get(move.id)
            if rows:
                text = self.env._("SMS to %s queued", ", ".join(rows.mapped("number")))
                if label:
                    text = f"{label}: {text}"
                move.message_post(
                    body=Markup("<p>%s</p>") % text,
                    message_type="notification",
                    subtype_xmlid="mail.mt_note",
                )
