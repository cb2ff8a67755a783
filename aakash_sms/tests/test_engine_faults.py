"""The engine decides at the moment of sending, and one request's trouble stays its own.

- a request never holds one number twice; what is refused before the request leaves
  is never ``uncertain``;
- rows waiting or being sent cannot be deleted; rows deleted anyway do not cost the
  others their outcome;
- the blacklist and the provider are checked when the queue takes a row;
- a dead worker's rows count their attempt.
"""

from contextlib import closing, suppress
from datetime import timedelta
from unittest.mock import patch

import psycopg2

from odoo import fields, sql_db
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.sending_queue import SmsQueue
from ..tools import client as client_module
from .common import (
    AakashSmsCase,
    pending_rows,
    real_env,
    role_user,
    sandbox_provider,
)


@tagged("post_install", "-at_install")
class TestEngineFaults(AakashSmsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = role_user(cls.env, "sms_manager", "faults_sms_manager")
        cls.text_action = cls.env["ir.actions.server"].create(
            {
                "name": "Welcome text",
                "model_id": cls.env["ir.model"]._get_id("res.partner"),
                "state": "aakash_sms",
                "aakash_sms_body": "Welcome to Himalayan Traders",
            }
        )

    def text(self, partners, action=None):
        """Run the welcome text for ``partners``: one send, as an automation does."""
        action = action or self.text_action
        action.with_context(active_model="res.partner", active_ids=partners.ids).run()
        return self.messages_of(partners)

    def send_rows(self, count, **values):
        """``count`` pending rows of one send, made as the send paths make them."""
        return pending_rows(self.provider, count, "one send", **values)

    # ------------------------------------------------------------------
    # A request never holds one number twice
    # ------------------------------------------------------------------
    def test_two_sends_texting_one_shared_phone_both_reach_it_in_two_requests(self):
        # a couple sharing a phone, welcomed by two runs of the rule (two sends)
        husband, wife, neighbour = self.contacts(
            ("Hari", "9811111111"), ("Gita", "9811111111"), ("Shyam", "9822222222")
        )
        first = self.text(husband + neighbour)
        second = self.text(wife)
        self.assertNotEqual(first[:1].send_ref, second.send_ref)
        self.assertEqual(set((first + second).mapped("state")), {"pending"})
        self.run_queue()
        rows = first + second
        self.assertEqual(rows.mapped("state"), ["queued"] * 3, rows.mapped("reason"))
        self.assertTrue(all(rows.mapped("gateway_id")))
        self.assertEqual(
            sorted(self.gateway.sent_numbers()),
            ["9811111111", "9811111111", "9822222222"],
        )
        for request in self.gateway.requests:
            numbers = request.form["to"].split(",")
            self.assertEqual(len(numbers), len(set(numbers)), "distinct per request")

    def test_copies_of_one_send_split_across_batches_are_one_recorded_duplicate(self):
        # one send written in two batches (as Odoo's SMS queue hands over a mailing)
        rows = self.send_rows(2, send_ref="sms:mailing-7")
        copy = self.send_rows(1, send_ref="sms:mailing-7")
        self.run_queue()
        self.assertEqual(rows.mapped("state"), ["queued", "queued"])
        self.assertRecordValues(
            copy,
            [{"state": "rejected", "error_kind": "duplicate", "gateway_id": False}],
        )
        self.assertIn("duplicate", copy.reason)
        self.assertEqual(sorted(self.gateway.sent_numbers()), rows.mapped("number"))

    def test_batch_size_raised_while_the_queue_runs_never_overfills_a_request(self):
        self.provider.write({"batch_size": 2, "parallel_requests": 1})
        rows = self.send_rows(20)
        Message = self.env.registry["aakash.sms.message"]
        real_record = Message._record_outcome

        def record_then_raise_batch_size(records, *args, **kwargs):
            # a manager raises the batch size while the first request is out
            self.provider.batch_size = 5
            return real_record(records, *args, **kwargs)

        with patch.object(Message, "_record_outcome", record_then_raise_batch_size):
            self.run_queue()
        self.assertEqual(rows.mapped("state"), ["queued"] * 20, rows.mapped("reason"))
        self.assertEqual(len(set(self.gateway.sent_numbers())), 20)
        self.assertLessEqual(
            max(len(r.form["to"].split(",")) for r in self.gateway.requests), 5
        )

    def test_an_error_before_the_request_leaves_is_never_uncertain(self):
        rows = self.send_rows(3)

        def broken(raw):
            raise RuntimeError("a bug while checking the numbers")

        with (
            patch.object(client_module, "check_number", broken),
            self.assertLogs("odoo.addons.aakash_sms.tools.client", "ERROR"),
        ):
            self.run_queue()
        self.assertFalse(self.gateway.requests, "nothing left")
        self.assertEqual(set(rows.mapped("state")), {"pending"}, "tried again later")
        self.assertEqual(set(rows.mapped("error_kind")), {"not_sent"})
        self.assertEqual(set(rows.mapped("attempt_count")), {1})
        self.assertIn("Nothing was sent", rows[0].reason)
        # the next attempt goes through
        rows.write({"next_attempt_date": fields.Datetime.now() - timedelta(seconds=1)})
        self.run_queue()
        self.assertEqual(rows.mapped("state"), ["queued"] * 3)

    def test_the_wizard_send_refused_before_it_left_fails_with_the_reason(self):
        partners = self.contacts(("Ram", "9812345678"), ("Sita", "9841112222"))
        composer = self.open_composer(partners, user=self.sms_user)
        composer.body = "Namaste"
        composer = composer.save()

        def broken(raw):
            raise RuntimeError("a bug while checking the numbers")

        with (
            patch.object(client_module, "check_number", broken),
            self.assertLogs("odoo.addons.aakash_sms.tools.client", "ERROR"),
        ):
            composer.action_send()  # one request: sent at once
        rows = self.messages_of(partners)
        self.assertEqual(set(rows.mapped("state")), {"failed"}, "resendable")
        self.assertEqual(set(rows.mapped("error_kind")), {"not_sent"})
        self.assertIn("Nothing was sent", rows[0].reason)
        self.assertFalse(self.gateway.requests)

    # ------------------------------------------------------------------
    # Deleting log rows
    # ------------------------------------------------------------------
    def test_sms_manager_cannot_delete_rows_waiting_or_being_sent(self):
        waiting, sending, done = self.send_rows(3)
        sending.write({"state": "sending", "sending_key": 77})
        done.write({"state": "queued"})
        for row in (waiting, sending):
            with (
                self.subTest(state=row.state),
                self.assertRaisesRegex(UserError, "wait for its outcome"),
            ):
                row.with_user(self.manager).unlink()
            self.assertTrue(row.exists())
        done.with_user(self.manager).unlink()
        self.assertFalse(done.exists(), "a row with its outcome can be deleted")
        self.run_queue()
        self.assertEqual(waiting.state, "queued")

    # ------------------------------------------------------------------
    # Decisions taken at the moment of sending
    # ------------------------------------------------------------------
    def test_a_number_blacklisted_while_its_row_waits_is_not_sent(self):
        ram, sita = self.contacts(("Ram", "9812345678"), ("Sita", "9841112222"))
        rows = self.text(ram + sita)
        self.assertEqual(rows.mapped("state"), ["pending", "pending"])
        # Ram asks to receive no more SMS before the queue runs
        self.env["phone.blacklist"].sudo().add("+9779812345678")
        self.run_queue()
        self.assertRecordValues(
            rows,
            [
                {"state": "rejected", "error_kind": "opted_out"},
                {"state": "queued", "error_kind": False},
            ],
        )
        self.assertFalse(rows[0].gateway_id)
        self.assertIn("blacklist", rows[0].reason)
        self.assertEqual(self.gateway.sent_numbers(), ["9841112222"])

    def test_a_number_blacklisted_before_its_retry_is_not_retried(self):
        self.provider.sudo().base_url = "http://127.0.0.1:9/sms"  # refused: retried
        row = self.text(self.contacts(("Ram", "9812345678")))
        self.run_queue()
        self.assertEqual((row.state, row.error_kind), ("pending", "transport"))
        self.env["phone.blacklist"].sudo().add("+9779812345678")
        self.provider.sudo().base_url = self.gateway.base_url
        row.sudo().next_attempt_date = fields.Datetime.now() - timedelta(seconds=1)
        self.run_queue()
        self.assertEqual((row.state, row.error_kind), ("rejected", "opted_out"))
        self.assertFalse(self.gateway.requests)

    def test_archived_default_provider_is_not_replaced_by_another_one(self):
        # a second account of the company, for campaigns, not its default
        campaigns = sandbox_provider(self.env, self.gateway, "Campaigns", sequence=1)
        self.provider.action_archive()
        row = self.text(self.contacts(("Ram", "9812345678")))
        self.run_queue()
        self.assertRecordValues(
            row,
            [{"state": "failed", "error_kind": "no_provider", "provider_id": False}],
        )
        self.assertIn("Aakash Sandbox", row.reason)
        self.assertIn("archived", row.reason)
        self.assertFalse(self.gateway.requests, "not sent through Campaigns")
        # once a manager makes Campaigns the default, it sends
        campaigns.is_default = True
        row = self.text(self.contacts(("Sita", "9841112222")))
        self.run_queue()
        self.assertEqual((row.state, row.provider_id), ("queued", campaigns))

    def test_rows_waiting_for_a_provider_archived_meanwhile_fail_naming_it(self):
        rows = self.text(self.contacts(("Ram", "9812345678"), ("Sita", "9841112222")))
        self.assertEqual(rows.provider_id, self.provider)
        self.provider.action_archive()
        self.env.flush_all()  # archived, then a new default (two clicks)
        sandbox_provider(self.env, self.gateway, "New account", is_default=True)
        self.run_queue()
        self.assertEqual(set(rows.mapped("state")), {"failed"})
        self.assertEqual(set(rows.mapped("error_kind")), {"no_provider"})
        self.assertIn("Aakash Sandbox", rows[0].reason)
        self.assertIn("archived", rows[0].reason)
        self.assertFalse(self.gateway.requests, "never sent through another provider")

    # ------------------------------------------------------------------
    # Crashes leave a clean trail
    # ------------------------------------------------------------------
    def test_rows_of_a_dead_worker_count_their_attempt(self):
        first, retried = self.send_rows(2)
        retried.attempt_count = 2
        (first + retried).write({"state": "sending", "sending_key": 4545})
        self.run_queue()
        self.assertRecordValues(
            first + retried,
            [
                {"state": "uncertain", "attempt_count": 1},
                {"state": "uncertain", "attempt_count": 3},
            ],
        )
        self.assertTrue(all((first + retried).mapped("sent_date")))
        self.assertFalse(self.gateway.requests)

    def test_a_lost_database_connection_gives_one_traceback(self):
        dbname = self.env.cr.dbname
        raised = []

        def lose_the_database(queue):
            queue.env.cr.execute("SELECT pg_backend_pid()")
            [[pid]] = queue.env.cr.fetchall()
            with closing(sql_db.db_connect(dbname).cursor()) as other:
                # PostgreSQL restarted: every session ends
                other.execute("SELECT pg_terminate_backend(%s)", [pid])
            try:
                queue.env.cr.execute("SELECT 1", log_exceptions=False)
            except psycopg2.Error as exc:
                raised.append(exc)
                raise

        cr = sql_db.db_connect(dbname).cursor()
        try:
            env = real_env(self.registry, cr)
            with (
                patch.object(SmsQueue, "run", lose_the_database),
                mute_logger("odoo.sql_db"),
                self.assertRaises(psycopg2.Error) as caught,
                self.assertLogs("odoo.addons.aakash_sms") as logs,
            ):
                env["aakash.sms.message"]._cron_send()
        finally:
            with suppress(psycopg2.Error):
                cr.close()
        self.assertTrue(raised)
        self.assertIs(caught.exception, raised[0], "the first error, not a second")
        self.assertEqual(len(logs.output), 1, logs.output)
        self.assertIn("lock", logs.output[0])
