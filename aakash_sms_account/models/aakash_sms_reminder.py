"""``aakash.sms.reminder``: one payment reminder of one invoice, and the daily cron.

A row is the claim that a reminder step of an invoice went out (or a manual reminder):
it is written with the SMS row in the same transaction, and two unique indexes make
"each step at most once per invoice" and "one reminder SMS per customer and day" a rule
of the database, whatever the cron does (restarts, two workers, a rolled-back run).
"""

import logging
from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

import psycopg2
from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.aakash_sms.tools.window import DEFAULT_TZ

_logger = logging.getLogger(__name__)

# PostgreSQL advisory lock namespace of reminders ("AR"): (namespace, customer id) is
# held by the transaction texting that customer
REMINDER_LOCK_NAMESPACE = 0x4152
# customers texted per committed chunk of the cron: a chunk takes a few seconds, and
# Odoo calls the cron at least 10 times a job (ir_cron.MIN_RUNS_PER_JOB) whatever its
# time budget, so a job stays well within Odoo's time limit (120 s by default)
CUSTOMERS_PER_CHUNK = 100
# chatter notes written per batch (the ORM's inverse updates grow with the batch)
NOTES_PER_BATCH = 100
# the invoices a reminder may go out for
OPEN_PAYMENT_STATES = ("not_paid", "partial")


def reminder_day(company):
    """The day a reminder of ``company`` belongs to: today in the company's time zone
    (its address's, else Kathmandu's), for the cron and the button alike (a user's or
    the server's calendar would make two days of one)."""
    return datetime.now(ZoneInfo(company.partner_id.tz or DEFAULT_TZ)).date()


class AakashSmsReminder(models.Model):
    _name = "aakash.sms.reminder"
    _description = "SMS Payment Reminder"
    _order = "reminder_date desc, id desc"
    _check_company_auto = True

    move_id = fields.Many2one(
        "account.move", "Invoice", required=True, index=True, ondelete="cascade"
    )
    step_id = fields.Many2one(
        "aakash.sms.reminder.step", index="btree_not_null", ondelete="set null"
    )
    step_days = fields.Integer(
        "Days After Due Date", help="The step's days when the reminder went out."
    )
    manual = fields.Boolean(help="Sent with the invoice's 'Send Reminder Now' button.")
    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    reminder_date = fields.Date("Date", required=True)
    is_lead = fields.Boolean(
        "Texted About",
        help="The invoice the SMS is about; the customer's other invoices reminded "
        "the same day are listed in it.",
    )
    message_id = fields.Many2one(
        "aakash.sms.message", "SMS", index="btree_not_null", ondelete="set null"
    )
    sms_state = fields.Selection(
        related="message_id.state",
        string="SMS Status",
        help="Where the reminder's SMS is now.",
    )
    sms_number = fields.Char(
        related="message_id.number", string="Number", help="The number texted."
    )
    user_id = fields.Many2one("res.users", "Sent By")

    # the rules, kept by the database whatever the cron does
    _one_per_step = models.UniqueIndex(
        "(move_id, step_id) WHERE step_id IS NOT NULL",
        "This reminder step already went out for this invoice.",
    )
    _one_sms_per_customer_and_day = models.UniqueIndex(
        "(partner_id, company_id, reminder_date) WHERE is_lead",
        "This customer already got a payment reminder today.",
    )

    @api.depends("step_days", "manual")
    def _compute_display_name(self):
        for reminder in self:
            if reminder.manual:
                reminder.display_name = self.env._("Manual reminder")
            else:
                reminder.display_name = self.env._(
                    "%s days after the due date", reminder.step_days
                )

    # ------------------------------------------------------------
    # BUSINESS: the daily cron
    # ------------------------------------------------------------

    @api.model
    def _cron_send_reminders(self, chunk_size=CUSTOMERS_PER_CHUNK):
        """Text every customer whose invoices reached a reminder step today.

        The customers are handled by committed chunks (``ir.cron._commit_progress``);
        when the job's time budget runs out the cron says how many are left and Odoo
        runs it again, which goes on from what is not claimed yet (nothing goes out
        twice).
        """
        # a cron: every company's invoices, steps and templates
        reminders_sudo = self.sudo()
        # each company's own day (usually one day for all)
        companies_by_day = defaultdict(set)
        for company in (
            self.env["res.company"]
            .sudo()
            .search([("aakash_sms_reminder_step_ids", "!=", False)])
        ):
            companies_by_day[reminder_day(company)].add(company.id)
        work = []  # (day, (customer id, company id), items)
        for today, company_ids in companies_by_day.items():
            work += [
                (today, key, items)
                for key, items in reminders_sudo._due_reminders(today).items()
                if key[1] in company_ids
            ]
        customers = work
        Cron = self.env["ir.cron"]
        done = 0
        for start in range(0, len(customers), chunk_size):
            chunk = customers[start : start + chunk_size]
            by_day = defaultdict(dict)
            for today, key, items in chunk:
                by_day[today][key] = items
            for today, due in by_day.items():
                reminders_sudo._remind_chunk(due, today)
            keys = chunk
            done += len(keys)
            time_left = Cron._commit_progress(
                len(keys), remaining=len(customers) - done
            )
            if not time_left and done < len(customers):
                _logger.info(
                    "Aakash SMS: %s customers left for the next reminder run",
                    len(customers) - done,
                )
                break

    @api.model
    def _due_reminders(self, today, move_ids=None):
        """The reminders due: ``{(customer id, company id): [(invoice id, step id,
        step days), ...]}``, the most overdue invoice first.

        An invoice is due the highest enabled step it reached and no reminder of that
        step or a later one went out; its customer is due when it was not texted a
        reminder today.  Paid, in payment, cancelled invoices and customers with "no
        SMS reminders" are never due.
        """
        self.env.flush_all()
        restrict = SQL("AND m.id = ANY(%s)", list(move_ids)) if move_ids else SQL()
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT ON (m.id)
                       m.commercial_partner_id, m.company_id, m.id, s.id, s.days,
                       m.invoice_date_due
                  FROM account_move m
                  JOIN aakash_sms_reminder_step s
                       ON s.company_id = m.company_id AND s.enabled
                  JOIN res_partner cp ON cp.id = m.commercial_partner_id
                  JOIN res_partner p ON p.id = m.partner_id
                 WHERE m.move_type = 'out_invoice'
                   AND m.state = 'posted'
                   AND m.payment_state IN %(open)s
                   AND m.invoice_date_due + s.days <= %(today)s
                   AND NOT COALESCE(cp.aakash_sms_no_reminders, FALSE)
                   AND NOT COALESCE(p.aakash_sms_no_reminders, FALSE)
                   AND NOT EXISTS (
                       SELECT 1 FROM aakash_sms_reminder r
                        WHERE r.move_id = m.id AND NOT r.manual
                          AND r.step_days >= s.days)
                   AND NOT EXISTS (
                       SELECT 1 FROM aakash_sms_reminder r
                        WHERE r.partner_id = m.commercial_partner_id
                          AND r.company_id = m.company_id
                          AND r.reminder_date = %(today)s AND r.is_lead)
                   %(restrict)s
              ORDER BY m.id, s.days DESC
                """,
                open=OPEN_PAYMENT_STATES,
                today=today,
                restrict=restrict,
            )
        )
        rows = sorted(self.env.cr.fetchall(), key=lambda row: (row[5], row[2]))
        due = defaultdict(list)
        for partner_id, company_id, move_id, step_id, days, _due_date in rows:
            due[partner_id, company_id].append((move_id, step_id, days))
        return dict(due)

    def _remind_chunk(self, due, today):
        """Claim and text the customers ``due`` (a chunk of :meth:`_due_reminders`),
        in the current transaction; the caller commits.

        A customer another transaction is texting is skipped (it is that one's); a
        conflict with a transaction that committed meanwhile is retried once on a
        fresh snapshot, where the claims already made are seen and skipped.
        """
        for attempt in (1, 2):
            try:
                with self.env.cr.savepoint():
                    return self._remind_locked(due, today)
            except psycopg2.errors.SerializationFailure:
                if attempt == 2:
                    _logger.info(
                        "Aakash SMS: reminders of %s customers left to the next run "
                        "(changed by another transaction)",
                        len(due),
                    )
                    return self.browse()
                # a fresh snapshot (the savepoint left nothing to commit)
                self.env.cr.commit()  # pylint: disable=invalid-commit
                self.env.invalidate_all()
        return self.browse()

    def _remind_locked(self, due, today):
        """Lock the customers and invoices of ``due`` (skipping those another
        transaction holds), check them again, claim the reminders and write the SMS
        rows.  :return: the reminders written"""
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT id FROM unnest(%s::int[]) AS id "
                "WHERE pg_try_advisory_xact_lock(%s, id)",
                sorted({partner_id for partner_id, _company in due}),
                REMINDER_LOCK_NAMESPACE,
            )
        )
        locked_partners = {partner_id for [partner_id] in cr.fetchall()}
        move_ids = [
            move_id
            for (partner_id, _company), items in due.items()
            if partner_id in locked_partners
            for move_id, _step, _days in items
        ]
        if not move_ids:
            return self.browse()
        # an invoice being paid right now is left to the next run
        cr.execute(
            SQL(
                "SELECT id FROM account_move WHERE id = ANY(%s) "
                "FOR NO KEY UPDATE SKIP LOCKED",
                move_ids,
            ),
            log_exceptions=False,
        )
        locked_moves = [move_id for [move_id] in cr.fetchall()]
        # checked again now that they are ours: paid, excluded, texted meanwhile
        due = self._due_reminders(today, locked_moves) if locked_moves else {}
        Move = self.env["account.move"]
        leads = Move.browse([items[0][0] for items in due.values()])
        textable = leads._aakash_sms_textable()
        due = {key: items for key, items in due.items() if items[0][0] in textable.ids}
        if not due:
            return self.browse()
        claimed = self._claim(due, today)
        return claimed._text()

    def _claim(self, due, today, manual=False):
        """Write the reminder rows of ``due``, each customer's lead invoice first,
        skipping what is claimed already (``ON CONFLICT DO NOTHING``).

        :return: the reminders written (a customer whose lead was claimed by someone
            else gets none)
        """
        cr = self.env.cr
        now = fields.Datetime.now()
        uid = self.env.uid

        def insert(rows):
            if not rows:
                return []
            values = SQL(", ").join(
                SQL(
                    "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    move_id,
                    step_id,
                    days,
                    manual,
                    partner_id,
                    company_id,
                    today,
                    is_lead,
                    uid,
                    uid,
                    now,
                    uid,
                    now,
                )
                for move_id, step_id, days, partner_id, company_id, is_lead in rows
            )
            cr.execute(
                SQL(
                    """
                    INSERT INTO aakash_sms_reminder (
                        move_id, step_id, step_days, manual, partner_id, company_id,
                        reminder_date, is_lead, user_id, create_uid, create_date,
                        write_uid, write_date)
                    VALUES %s
                    ON CONFLICT DO NOTHING
                    RETURNING id, partner_id, company_id
                    """,
                    values,
                ),
                log_exceptions=False,
            )
            written = cr.fetchall()
            # written by SQL: what the ORM cached about them is stale
            self.env["account.move"].browse(
                [row[0] for row in rows]
            ).invalidate_recordset(["aakash_sms_reminder_ids"])
            return written

        leads = insert(
            [
                (items[0][0], items[0][1], items[0][2], partner_id, company_id, True)
                for (partner_id, company_id), items in due.items()
            ]
        )
        led = {(partner_id, company_id) for _id, partner_id, company_id in leads}
        others = insert(
            [
                (move_id, step_id, days, partner_id, company_id, False)
                for (partner_id, company_id), items in due.items()
                if (partner_id, company_id) in led
                for move_id, step_id, days in items[1:]
            ]
        )
        return self.browse([row[0] for row in leads + others])

    def _text(self):
        """Write the SMS rows of the claimed reminders ``self`` (one per customer:
        its lead invoice, rendered in the customer's language), link them, and note
        each reminder on its invoice.  :return: ``self``"""
        Message = self.env["aakash.sms.message"]
        leads = self.filtered("is_lead")
        leads.move_id._aakash_sms_ensure_access_tokens()
        messages = Message.sudo().browse()
        for template, group in leads.grouped(
            lambda r: r.step_id._aakash_template()
            if r.step_id
            else r.company_id._aakash_sms_reminder_template()
        ).items():
            moves = group.move_id
            bodies, problem = Message._aakash_render(
                lambda recs, template=template: template._render_field(
                    "body", recs.ids, compute_lang=True
                ),
                moves,
            )
            messages |= Message._aakash_create_rows(moves, bodies, text_problem=problem)
        by_move = {message.res_id: message for message in messages}
        by_customer = {}
        for lead in leads:
            message = by_move.get(lead.move_id.id)
            by_customer[lead.partner_id, lead.company_id] = (lead, message)
        for (partner, company), group in self.grouped(
            lambda r: (r.partner_id, r.company_id)
        ).items():
            lead, message = by_customer[partner, company]
            group.message_id = message
        messages._aakash_queue()
        self._note()
        return self

    def _note(self):
        """A line on each invoice reminded: which step, and the SMS it went in."""
        leads = {(r.partner_id, r.company_id): r for r in self if r.is_lead}
        bodies = {}
        for reminder in self:
            lead = leads.get((reminder.partner_id, reminder.company_id), reminder)
            number = reminder.message_id.number or reminder.message_id.number_raw or "-"
            if reminder.is_lead:
                text = self.env._(
                    "Payment reminder (%(step)s): SMS to %(number)s queued",
                    step=reminder.display_name,
                    number=number,
                )
            else:
                text = self.env._(
                    "Payment reminder (%(step)s): listed in the SMS about "
                    "%(invoice)s to %(number)s",
                    step=reminder.display_name,
                    invoice=lead.move_id.name,
                    number=number,
                )
            bodies[reminder.move_id.id] = Markup("<p>%s</p>") % text
        # the reminder is the engine's record of what happened on the invoice
        moves_sudo = self.move_id.sudo()
        ids = moves_sudo.ids
        for start in range(0, len(ids), NOTES_PER_BATCH):
            batch = moves_sudo.browse(ids[start : start + NOTES_PER_BATCH])
            batch._message_log_batch(
                bodies={move_id: bodies[move_id] for move_id in batch.ids},
                author_id=self.env.user.partner_id.id,
            )
