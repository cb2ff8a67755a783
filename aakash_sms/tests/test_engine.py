"""The sending engine under faults: every SMS sent at most once, every outcome recorded.

The sandbox gateway records every request, so "sent once" is counted, not assumed.
"""

import threading
from contextlib import closing
from datetime import timedelta
from unittest.mock import patch

from odoo import fields, sql_db
from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tools import SQL

from ..const import LOCK_NAMESPACE
from ..models import provider_slots
from ..models.provider_slots import ProviderSlots
from ..models.sending_queue import SmsQueue
from ..tools.client import AakashClient
from .common import (
    TOKEN,
    AakashSmsCase,
    delete_committed,
    real_env,
    sandbox_provider,
)


@tagged("post_install", "-at_install")
class TestEngine(AakashSmsCase):
    def partners(self, count, number=lambda i: f"98{i:08d}"):
        return self.env["res.partner"].create(
            [{"name": f"P{i}", "phone": number(i)} for i in range(count)]
        )

    def wizard_send(self, records, body="Dashain offer", user=None):
        env = self.env(user=user) if user else self.env
        composer = Form(
            env["aakash.sms.composer"].with_context(
                active_model=records._name, active_ids=records.ids
            )
        )
        composer.body = body
        return composer.save().action_send()

    def rows(self, **domain):
        return self.env["aakash.sms.message"].search(
            [(k, "=", v) for k, v in domain.items()], order="id"
        )

    def test_the_queue_cron_sends_what_a_server_action_queued(self):
        action = self.env["ir.actions.server"].create(
            {
                "name": "Text",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "state": "aakash_sms",
                "aakash_sms_body": "Hello {{ object.name }}",
            }
        )
        partners = self.partners(2)
        action.with_context(active_model="res.partner", active_ids=partners.ids).run()
        cron = self.env.ref("aakash_sms.ir_cron_aakash_sms_send")
        self.assertTrue(cron.active)
        self.assertTrue(
            self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]),
            "woken at once",
        )
        with patch.object(self.env.cr, "commit", lambda: None):
            cron.ir_actions_server_id.run()  # what the scheduler runs
        self.assertEqual(
            sorted(self.gateway.sent_numbers()), sorted(partners.mapped("phone"))
        )

    def test_number_repeated_across_batches_is_sent_once(self):
        partners = self.partners(
            150, number=lambda i: "9800000000" if i in (0, 149) else f"98{i:08d}"
        )
        self.wizard_send(partners)
        self.run_queue()
        sent = self.gateway.sent_numbers()
        self.assertEqual(
            len(self.gateway.requests), 2, "150 recipients in batches of 100"
        )
        self.assertEqual(len(sent), len(set(sent)), "no number twice in one send")
        self.assertEqual(sent.count("9800000000"), 1)
        duplicate = self.messages_of(partners[149])
        self.assertEqual(
            (duplicate.state, duplicate.error_kind), ("rejected", "duplicate")
        )
        # resending the duplicate cannot text the number again: it got this text already
        with self.assertRaisesRegex(UserError, "already"):
            duplicate.action_resend()
        self.run_queue()
        self.assertEqual(self.gateway.sent_numbers().count("9800000000"), 1)

    def test_resend_of_one_number_and_text_from_several_sends_texts_it_once(self):
        # three sends of the same text to the same contact all failed (bad token);
        # the user selects the three rows and resends them together
        self.provider.auth_token = "wrong-token"
        partner = self.partners(1)
        for _send in range(3):
            self.wizard_send(partner, user=self.sms_user)
        failed = self.messages_of(partner)
        self.assertEqual(failed.mapped("state"), ["failed"] * 3)
        self.provider.auth_token = TOKEN
        self.gateway.clear()
        action = failed.with_user(self.sms_user).action_resend()
        self.run_queue()
        self.assertEqual(self.gateway.sent_numbers(), [partner.phone])
        resent = failed.resend_id
        self.assertEqual(len(resent), 3, "every resent row is recorded")
        self.assertEqual(
            sorted((m.state, m.error_kind or "") for m in resent),
            [("queued", ""), ("rejected", "duplicate"), ("rejected", "duplicate")],
        )
        self.assertEqual(len(set(resent.mapped("send_ref"))), 1, "one resend")
        self.assertIn("duplicate", action["params"]["message"])
        # nothing is left to resend: the text reached the number
        with self.assertRaises(UserError):
            (failed | resent).with_user(self.sms_user).action_resend()
        self.run_queue()
        self.assertEqual(self.gateway.sent_numbers(), [partner.phone])

    def test_a_refused_row_does_not_make_its_twin_a_duplicate(self):
        # one number on two contacts: the first of another company that has no
        # provider (refused), the second of this company; the same text
        other = self.env["res.company"].create({"name": "No Provider Ltd"})
        refused, texted = self.env["res.partner"].create(
            [
                {"name": "Elsewhere", "phone": "9812345678", "company_id": other.id},
                {"name": "Here", "phone": "9812345678"},
            ]
        )
        self.wizard_send(refused | texted)
        self.run_queue()
        self.assertEqual(
            [(m.state, m.error_kind) for m in self.messages_of(refused | texted)],
            [("failed", "no_provider"), ("queued", False)],
        )
        self.assertEqual(self.gateway.sent_numbers(), ["9812345678"])

    def test_bug_after_the_request_left_is_uncertain_and_recorded(self):
        partners = self.partners(3)
        real_send = AakashClient.send

        def send_then_crash(client, numbers, text):
            real_send(client, numbers, text)
            # a reply we could not read
            raise AttributeError("'str' object has no attribute 'get'")

        with (
            patch.object(AakashClient, "send", send_then_crash),
            self.assertLogs(
                "odoo.addons.aakash_sms.models.aakash_sms_message", "WARNING"
            ),
        ):
            self.wizard_send(partners)
        self.assertEqual(len(self.gateway.sent_numbers()), 3, "the gateway had them")
        rows = self.messages_of(partners)
        self.assertEqual(len(rows), 3, "every recipient is recorded")
        self.assertEqual(set(rows.mapped("state")), {"uncertain"})
        self.assertIn("May have been sent", rows[0].reason)
        with self.assertRaises(UserError):
            rows.action_resend()
        self.run_queue()
        self.assertEqual(len(self.gateway.sent_numbers()), 3, "never resent on its own")

    def test_personalised_texts_are_queued_not_sent_in_the_request(self):
        partners = self.partners(3)
        self.wizard_send(partners, body="Namaste {{ object.name }}")
        self.assertFalse(self.gateway.requests, "three requests: queued")
        self.run_queue()
        self.assertEqual(
            sorted(r.form["text"] for r in self.gateway.requests),
            ["Namaste P0", "Namaste P1", "Namaste P2"],
        )

    def test_spent_time_budget_schedules_the_rest_now(self):
        self.provider.batch_size = 10
        self.provider.parallel_requests = 1
        partners = self.partners(35)
        self.wizard_send(partners)
        Cron = self.env.registry["ir.cron"]
        with patch.object(
            Cron,
            "_commit_progress",
            lambda self, processed=0, **kw: 0 if processed else 1,
        ):
            self.run_queue()
        rows = self.messages_of(partners)
        self.assertEqual(
            len(rows.filtered(lambda m: m.state == "queued")),
            10,
            "one request, then time is up",
        )
        cron = self.env.ref("aakash_sms.ir_cron_aakash_sms_send")
        trigger = self.env["ir.cron.trigger"].search(
            [("cron_id", "=", cron.id)], order="id desc", limit=1
        )
        self.assertLessEqual(
            trigger.call_at, fields.Datetime.now(), "the rest goes on at once"
        )
        self.run_queue()
        self.assertEqual(set(rows.mapped("state")), {"queued"})

    def test_each_provider_its_own_batch_size(self):
        self.provider.batch_size = 10
        self.wizard_send(self.partners(30))
        self.run_queue()
        self.assertEqual(
            [len(r.form["to"].split(",")) for r in self.gateway.requests], [10, 10, 10]
        )

    def test_parallel_requests_per_provider(self):
        self.provider.batch_size = 5
        self.provider.parallel_requests = 3
        self.gateway.latency = 0.5
        self.addCleanup(setattr, self.gateway, "latency", 0)
        partners = self.partners(30)
        self.wizard_send(partners)
        self.run_queue()
        self.assertEqual(len(self.gateway.requests), 6)
        self.assertEqual(
            self.gateway.peak_concurrency,
            3,
            "three requests on the wire together, never more",
        )
        self.assertEqual(set(self.messages_of(partners).mapped("state")), {"queued"})
        self.assertEqual(len(set(self.gateway.sent_numbers())), 30)

    def test_balance_and_report_requests_count_in_the_parallel_requests(self):
        """The provider's parallel requests are the gateway's limit for every request:
        a balance or a report read while another worker (another server) has every
        slot at the gateway waits for a free one, and does not go out before; two
        servers showed 5 requests at once for a limit of 4 (one reading reports)."""
        self.provider.parallel_requests = 2
        partners = self.partners(1)
        self.wizard_send(partners)
        self.run_queue()
        row = self.messages_of(partners)
        self.gateway.set_status(int(row.gateway_id), "delivered")
        self.gateway.clear()
        with closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as other:
            slots = ProviderSlots(other)
            self.assertEqual(slots.reserve(self.provider), {self.provider.id: 2})
            slots.keep({})
            with patch.object(provider_slots, "SLOT_WAIT_S", 0.2):
                with self.assertRaisesRegex(UserError, "busy"):
                    self.provider._read_credit()
                self.run_cron("aakash.sms.message", "_cron_sync_reports")
            self.assertFalse(self.gateway.requests, "nothing beyond the limit")
            self.assertEqual(row.state, "queued")
            # one request of the other worker ends: its slot is free
            slots.release(self.provider.id)
            self.provider._read_credit()
            self.run_cron("aakash.sms.message", "_cron_sync_reports")
            slots.release_all()
        self.assertEqual(
            [r.path.rsplit("/", 1)[-1] for r in self.gateway.requests],
            ["credit", "api"],
        )
        self.assertEqual(self.gateway.peak_concurrency, 1)
        self.assertEqual(row.state, "delivered")

    def test_unreachable_gateway_retried_after_2_4_8_16_minutes(self):
        self.provider.sudo().base_url = "http://127.0.0.1:9/sms"
        partners = self.partners(2)
        self.wizard_send(partners, body="a {{ object.name }}")  # two texts: queued
        row = self.messages_of(partners[0])
        delays = []
        for _attempt in range(4):
            before = fields.Datetime.now()
            self.run_queue()
            delays.append(round((row.next_attempt_date - before).total_seconds() / 60))
            row.sudo().next_attempt_date = fields.Datetime.now() - timedelta(seconds=1)
        self.assertEqual(delays, [2, 4, 8, 16])
        self.run_queue()
        self.assertEqual((row.state, row.attempt_count), ("failed", 5))

    def test_rows_of_a_dead_worker_become_uncertain_not_those_of_a_live_one(self):
        partners = self.partners(4)
        self.wizard_send(partners, body="b {{ object.name }}")
        rows = self.messages_of(partners)
        live_key, dead_key = 4242, 4343
        rows[:2].sudo().write({"state": "sending", "sending_key": live_key})
        rows[2:].sudo().write({"state": "sending", "sending_key": dead_key})
        with closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as other:
            # a worker still sending
            other.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_NAMESPACE, live_key])
            self.run_queue()
            other.execute(
                "SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, live_key]
            )
        self.assertEqual(
            rows.mapped("state"), ["sending", "sending", "uncertain", "uncertain"]
        )
        self.assertFalse(self.gateway.requests, "nothing is sent again")

    def test_the_queue_reads_pending_rows_in_order_whatever_the_statistics_say(self):
        """A large send into a log whose statistics lag behind (never analyzed yet,
        or analyzed when few rows were pending: PostgreSQL's autovacuum refreshes
        them only once a tenth of the table changed). Each take of the queue still
        reads the next due rows through the index of the pending rows, in id order,
        not every pending row sorted each time: a send of 100,000 spent 20 ms a take
        that way, growing with the send."""
        Message = self.env["aakash.sms.message"].sudo()
        vals = {
            "body": "Dashain offer",
            "company_id": self.company.id,
            "provider_id": self.provider.id,
        }
        queue = SmsQueue(Message.browse(), key=1, commit=False)
        cr = self.env.cr
        plans = []
        execute = cr.execute

        def explained(query, params=None, log_exceptions=True):
            if isinstance(query, SQL) and "SKIP LOCKED" in query.code:
                execute(SQL("EXPLAIN %s", query))
                plans.append("\n".join(row[0] for row in cr.fetchall()))
            return execute(query, params, log_exceptions)

        def take_plan():
            with patch.object(cr, "execute", explained):
                candidates = queue._lock_candidates(400)
                self.assertEqual(len(candidates), 400)
                Message._aakash_post_due_notes(50)
            self.assertIn(
                "Index Scan using aakash_sms_message_pending_queue_idx", plans[-2]
            )
            self.assertIn("Index Scan using aakash_sms_message_note_due_idx", plans[-1])
            for plan in plans[-2:]:
                self.assertNotIn("Sort", plan, plan)
            cr.execute("SHOW enable_sort")
            self.assertEqual(cr.fetchone()[0], "on", "the setting is the query's")

        def insert(count, prefix):
            Message._aakash_insert(
                [dict(vals, number=f"{prefix}{i:08d}") for i in range(count)]
            )

        # a new database: the log never analyzed
        insert(20000, "97")
        self.env.cr.execute("UPDATE aakash_sms_message SET note_due = TRUE")
        take_plan()
        # analyzed when 1 row in 100 was pending, then a large send
        self.env.cr.execute(
            "UPDATE aakash_sms_message SET state = 'queued', note_due = FALSE"
        )
        insert(200, "96")
        self.env.cr.execute("ANALYZE aakash_sms_message")
        insert(20000, "95")
        self.env.cr.execute(
            "UPDATE aakash_sms_message SET note_due = TRUE WHERE state = 'pending'"
        )
        take_plan()

    def test_wizard_beyond_fourteen_thousand_records(self):
        self.require_full_database()
        # the ids no longer go through literal_eval's 100 KiB cap
        partners = self.partners(15000)
        composer = (
            self.env["aakash.sms.composer"]
            .with_context(active_model="res.partner", active_ids=partners.ids)
            .create({"body": "To all"})
        )
        self.assertEqual(
            (composer.recipient_count, composer.valid_count), (15000, 15000)
        )
        self.assertLessEqual(len(composer.line_ids), 200, "the preview lists a sample")
        composer.action_send()
        # a large send: recorded at the click, its rows prepared by the queue
        self.assertFalse(self.messages_of(partners))
        self.run_cron("aakash.sms.send", "_cron_prepare")
        self.assertEqual(len(self.messages_of(partners)), 15000)

    def test_report_reconciles_ten_thousand_rows_in_a_few_runs(self):
        self.require_full_database()
        Message = self.env["aakash.sms.message"].sudo()
        now = fields.Datetime.now()
        rows = Message.create(
            [
                {
                    "number": f"98{i:08d}",
                    "number_raw": f"98{i:08d}",
                    "body": "big send",
                    "state": "queued",
                    "gateway_id": str(500000 + i),
                    "provider_id": self.provider.id,
                    "company_id": self.company.id,
                    "sent_date": now,
                }
                for i in range(10000)
            ]
        )
        stamp = now.strftime("%Y-%m-%d %H:%M:%S")
        self.gateway.messages.extend(
            {
                "id": 500000 + i,
                "mobile": f"97798{i:08d}",
                "text": "big send",
                "credit": 1,
                "network": "NTC",
                "status": "delivered",
                "created_at": stamp,
            }
            for i in range(10000)
        )
        runs = 0
        while rows.filtered(lambda m: m.state == "queued") and runs < 5:
            self.run_cron("aakash.sms.message", "_cron_sync_reports")
            runs += 1
        self.assertEqual(set(rows.mapped("state")), {"delivered"})
        self.assertLessEqual(runs, 3)

    def test_duplicate_gateway_ids_are_flagged(self):
        Message = self.env["aakash.sms.message"].sudo()
        rows = Message.create(
            [
                {
                    "number": number,
                    "number_raw": number,
                    "body": "x",
                    "state": "queued",
                    "gateway_id": "777",
                    "provider_id": self.provider.id,
                    "company_id": self.company.id,
                    "sent_date": fields.Datetime.now(),
                }
                for number in ("9811111111", "9822222222")
            ]
        )
        self.gateway.messages.append(
            {
                "id": 777,
                "mobile": "9779833333333",
                "text": "x",
                "credit": 1,
                "network": "NTC",
                "status": "delivered",
                "created_at": "2099-01-01 00:00:00",
            }
        )
        self.run_cron("aakash.sms.message", "_cron_sync_reports")
        self.assertEqual(rows.mapped("state"), ["queued", "queued"], "not half-updated")
        self.assertTrue(
            all("duplicate gateway id" in row.gateway_status for row in rows)
        )

    def test_worker_killed_mid_send_texts_each_contact_at_most_once(self):
        """Odoo's own personalised SMS (as SMS marketing makes them), the worker dies
        after two requests."""
        self.company.aakash_sms_native = True
        self.provider.parallel_requests = 1
        partners = self.partners(6)
        for partner in partners:
            partner._message_sms(f"Hello {partner.name}", put_in_queue=True)
        # Odoo's queue hands them to the Aakash queue
        self.run_cron("sms.sms", "_process_queue")
        rows = self.env["aakash.sms.message"].search([("sms_uuid", "!=", False)])
        self.assertEqual(len(rows), 6)
        Message = self.env.registry["aakash.sms.message"]
        real_record = Message._record_outcome
        calls = []

        def record_then_die(records, *args, **kwargs):
            calls.append(records.ids)
            if len(calls) == 3:
                # after its third request left
                raise KeyboardInterrupt("the cron worker is killed")
            return real_record(records, *args, **kwargs)

        # not assertRaises: it would roll back what the dead worker had committed
        died = False
        with patch.object(Message, "_record_outcome", record_then_die):
            try:
                self.run_queue()
            except KeyboardInterrupt:
                died = True
        self.assertTrue(died, "the worker died")
        # a freed request may have left meanwhile
        self.assertGreaterEqual(len(self.gateway.requests), 3)
        # the next run: the dead worker's unrecorded requests are uncertain, the rest is
        # sent
        self.run_queue()
        sent = self.gateway.sent_numbers()
        self.assertEqual(
            sorted(sent), sorted(partners.mapped("phone")), "each contact texted once"
        )
        self.assertFalse(
            rows.filtered(lambda m: m.state in ("pending", "sending")),
            "every row has an outcome",
        )
        lost = rows.filtered(lambda m: m.state == "uncertain")
        self.assertIn(
            calls[2][0], lost.ids, "the request whose outcome died with the worker"
        )
        self.assertEqual(
            len(rows.filtered(lambda m: m.state == "queued")) + len(lost), 6
        )
        lost = lost.filtered(lambda m: m.id == calls[2][0])
        sms = self.env["sms.sms"].search([("uuid", "=", lost.sms_uuid)])
        self.assertEqual((sms.state, sms.failure_type), ("error", "sms_server"))

    def test_odoo_sms_uuid_sent_once_whoever_asks_again(self):
        self.company.aakash_sms_native = True
        partner = self.partners(1)
        partner._message_sms("Hello once", put_in_queue=True)
        sms = self.env["sms.sms"].search([("partner_id", "=", partner.id)])
        sms._send()
        sms.state = (
            "outgoing"  # as if the first transaction's answer was lost: Odoo asks again
        )
        sms._send()
        self.run_queue()
        self.run_queue()
        self.assertEqual(self.gateway.sent_numbers(), ["9800000000"])
        self.assertEqual(
            len(self.env["aakash.sms.message"].search([("sms_uuid", "=", sms.uuid)])), 1
        )


@tagged("post_install", "-at_install")
class TestConcurrentResend(AakashSmsCase):
    """Two users resend the same failed row at once, on two real connections."""

    def test_two_users_resend_once(self):
        dbname = self.env.cr.dbname
        with closing(sql_db.db_connect(dbname).cursor()) as cr:
            env = real_env(self.registry, cr)
            provider = sandbox_provider(env, self.gateway, "Race", sequence=0)
            partner = env["res.partner"].create(
                {"name": "Resend Race", "phone": "9812340000"}
            )
            row = env["aakash.sms.message"].create(
                {
                    "res_model": "res.partner",
                    "res_id": partner.id,
                    "partner_id": partner.id,
                    "number": "9812340000",
                    "number_raw": "9812340000",
                    "body": "race",
                    "state": "failed",
                    "error_kind": "balance",
                    "company_id": env.company.id,
                    "provider_id": provider.id,
                }
            )
            ids = {"partner": partner.id, "row": row.id, "provider": provider.id}
            cr.commit()  # pylint: disable=invalid-commit

        self.addCleanup(
            delete_committed, dbname, ids["provider"], partner_ids=[ids["partner"]]
        )

        outcomes = []
        start = threading.Barrier(2)

        def user():
            try:
                with closing(sql_db.db_connect(dbname).cursor()) as cr:
                    env = real_env(self.registry, cr)
                    start.wait()
                    env["aakash.sms.message"].browse(ids["row"]).action_resend()
                    cr.commit()  # pylint: disable=invalid-commit
                    outcomes.append("resent")
            except Exception as exc:  # noqa: BLE001 - a lost race is expected for one of them
                outcomes.append(type(exc).__name__)

        threads = [threading.Thread(target=user) for _i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        self.assertEqual(outcomes.count("resent"), 1, outcomes)
        with closing(sql_db.db_connect(dbname).cursor()) as cr:
            cr.execute(
                "SELECT count(*) FROM aakash_sms_message "
                "WHERE res_model = 'res.partner' AND res_id = %s",
                [ids["partner"]],
            )
            self.assertEqual(cr.fetchone()[0], 2, "the failed row and one resend")


@tagged("post_install", "-at_install")
class TestProviderWithoutToken(AakashSmsCase):
    """A provider without an auth token: its rows fail with the reason, no request."""

    def test_queued_rows_fail_with_the_reason_and_nothing_leaves(self):
        self.provider.sudo().auth_token = False
        partner = self.env["res.partner"].create({"name": "Ram", "phone": "9812345678"})
        action = self.env["ir.actions.server"].create(
            {
                "name": "Text",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "state": "aakash_sms",
                "aakash_sms_body": "Namaste",
            }
        )
        action.with_context(active_model="res.partner", active_ids=partner.ids).run()
        self.run_queue()
        row = self.messages_of(partner)
        self.assertEqual((row.state, row.error_kind), ("failed", "no_provider"))
        self.assertIn("has no auth token", row.reason)
        self.assertEqual(self.gateway.requests, [], "no request left")

    def test_the_reason_is_returned_to_the_engine_and_raised_to_users(self):
        self.provider.sudo().auth_token = False
        client, reason = self.provider.sudo()._get_client_or_reason()
        self.assertIsNone(client)
        self.assertIn("Aakash Sandbox", reason)
        with self.assertRaisesRegex(UserError, "has no auth token"):
            self.provider.sudo()._get_client()

    def test_report_sync_skips_a_provider_whose_token_was_removed(self):
        partner = self.env["res.partner"].create(
            {"name": "Sita", "phone": "9841112222"}
        )
        composer = Form(
            self.env["aakash.sms.composer"].with_context(
                active_model="res.partner", active_ids=partner.ids
            )
        )
        composer.body = "Namaste"
        composer.save().action_send()
        row = self.messages_of(partner)
        self.assertEqual(row.state, "queued")
        self.gateway.set_status(int(row.gateway_id), "delivered")
        requests = len(self.gateway.requests)
        self.provider.sudo().auth_token = False
        with self.assertLogs("odoo.addons.aakash_sms", "WARNING") as logs:
            self.run_cron("aakash.sms.message", "_cron_sync_reports")
        self.assertIn("has no auth token", logs.output[0])
        self.assertEqual(row.state, "queued", "left for a run with a token")
        self.assertEqual(len(self.gateway.requests), requests, "no report request")
