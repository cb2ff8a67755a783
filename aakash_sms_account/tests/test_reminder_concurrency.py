"""Two reminder crons at once, on committed data (issue #22): each step goes out once
per invoice and one SMS per customer, whatever the workers do."""

from contextlib import closing
from datetime import timedelta

from odoo import Command, fields, sql_db
from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.aakash_sms.tests.common import real_env, run_in_two_workers

from .common import AakashSmsInvoicingCase

CUSTOMERS = 12


def delete_invoices(dbname, move_ids, partner_ids):
    """Remove what the test committed: the invoices, their SMS, reminders, notes."""
    with closing(sql_db.db_connect(dbname).cursor()) as cr:
        for query in (
            "DELETE FROM aakash_sms_message "
            "WHERE res_model = 'account.move' AND res_id = ANY(%(moves)s)",
            "DELETE FROM aakash_sms_reminder WHERE move_id = ANY(%(moves)s)",
            "DELETE FROM mail_message "
            "WHERE model = 'account.move' AND res_id = ANY(%(moves)s)",
            "DELETE FROM mail_followers "
            "WHERE res_model = 'account.move' AND res_id = ANY(%(moves)s)",
            "DELETE FROM account_move_line WHERE move_id = ANY(%(moves)s)",
            "DELETE FROM account_move WHERE id = ANY(%(moves)s)",
            "DELETE FROM mail_followers "
            "WHERE res_model = 'res.partner' AND res_id = ANY(%(partners)s)",
            "DELETE FROM res_partner WHERE id = ANY(%(partners)s)",
        ):
            cr.execute(query, {"moves": move_ids, "partners": partner_ids})
        # cleans up the committed rows
        cr.commit()  # pylint: disable=invalid-commit


@tagged("post_install", "-at_install")
class TestTwoReminderWorkers(AakashSmsInvoicingCase):
    def commit_invoices(self):
        """``CUSTOMERS`` customers with two invoices 3 and 12 days overdue each,
        committed in the database's main company."""
        dbname = self.env.cr.dbname
        with closing(sql_db.db_connect(dbname).cursor()) as cr:
            env = real_env(self.registry, cr)
            today = fields.Date.context_today(env["account.move"])
            partners = env["res.partner"].create(
                [
                    {"name": f"Two Workers {i}", "phone": f"98012{i:05d}"}
                    for i in range(CUSTOMERS)
                ]
            )
            moves = env["account.move"].create(
                [
                    {
                        "move_type": "out_invoice",
                        "partner_id": partner.id,
                        "invoice_date": today - timedelta(days=days),
                        "invoice_date_due": today - timedelta(days=days),
                        "invoice_line_ids": [
                            Command.create(
                                {"name": "Goods", "price_unit": 100, "tax_ids": []}
                            )
                        ],
                    }
                    for partner in partners
                    for days in (3, 12)
                ]
            )
            moves.action_post()
            move_ids, partner_ids = moves.ids, partners.ids
            # the workers' connections must see them
            cr.commit()  # pylint: disable=invalid-commit
        self.addCleanup(delete_invoices, dbname, move_ids, partner_ids)
        return move_ids

    def read_committed(self, query, move_ids):
        with closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as cr:
            cr.execute(SQL(query, move_ids))
            return cr.fetchall()

    def test_two_crons_at_once_text_each_customer_once(self):
        move_ids = self.commit_invoices()
        dbname = self.env.cr.dbname
        # a run that is rolled back leaves nothing behind
        with closing(sql_db.db_connect(dbname).cursor()) as cr:
            Reminder = real_env(self.registry, cr)["aakash.sms.reminder"]
            today = fields.Date.context_today(Reminder)
            due = Reminder._due_reminders(today, move_ids)
            self.assertEqual(len(due), CUSTOMERS)
            Reminder._remind_chunk(due, today)
            cr.rollback()

        errors = run_in_two_workers(
            self.registry,
            dbname,
            lambda env: env["aakash.sms.reminder"]._cron_send_reminders(chunk_size=3),
            timeout=120,
        )
        self.assertFalse(errors)

        reminders = self.read_committed(
            "SELECT move_id, step_days, is_lead, message_id "
            "FROM aakash_sms_reminder WHERE move_id = ANY(%s)",
            move_ids,
        )
        self.assertEqual(
            sorted((move_id, days) for move_id, days, _lead, _sms in reminders),
            sorted(
                (move_id, 3 if i % 2 == 0 else 10) for i, move_id in enumerate(move_ids)
            ),
            "each invoice its step, once",
        )
        sms = self.read_committed(
            "SELECT number, count(*) FROM aakash_sms_message "
            "WHERE res_model = 'account.move' AND res_id = ANY(%s) GROUP BY number",
            move_ids,
        )
        self.assertEqual(len(sms), CUSTOMERS)
        self.assertEqual({count for _number, count in sms}, {1}, "one SMS a customer")
        self.assertTrue(all(message_id for *_rest, message_id in reminders))
