"""Sending hours: bulk sends wait for the company's window, decided at sending."""

import threading
from contextlib import closing
from datetime import datetime, time, timedelta
from unittest.mock import patch
from zoneinfo import ZoneInfo

from odoo import fields, sql_db
from odoo.exceptions import AccessError
from odoo.tests import Form, common, tagged

from .common import (
    AakashSmsCase,
    LoopbackMixin,
    delete_committed,
    pending_rows,
    real_env,
    role_user,
    sandbox_provider,
)
from .test_scheduled_send import clock


def local_to_utc(company, day, hour, minute=0, second=0):
    """The naive UTC datetime of ``hour:minute`` on ``day`` in ``company``'s zone."""
    zone = ZoneInfo(company.partner_id.tz or "Asia/Kathmandu")
    moment = datetime.combine(day, time(hour, minute, second), tzinfo=zone)
    return moment.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


@tagged("post_install", "-at_install")
class TestSendingHours(AakashSmsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "aakash_sms_quiet_hours": True,
                "aakash_sms_window_start": 8.0,
                "aakash_sms_window_end": 20.0,
            }
        )
        cls.hari, cls.sita = cls.contacts(
            ("Hari Night", "9812345678"), ("Sita Night", "9801234567")
        )
        cls.day = fields.Date.today() + timedelta(days=1)
        cls.night = local_to_utc(cls.company, cls.day, 22)
        cls.opening = local_to_utc(cls.company, cls.day + timedelta(days=1), 8)

    def send(self, records, user=None):
        composer = self.open_composer(records, user=user or self.sms_user)
        composer.body = "Namaste"
        return composer

    def test_sms_manager_sets_sending_hours_on_the_provider(self):
        manager = role_user(self.env, "sms_manager", "sms_manager_hours")
        self.company.aakash_sms_quiet_hours = False
        with Form(self.provider.with_user(manager)) as form:
            form.quiet_hours = True
            form.window_start = 9.0
            form.window_end = 18.5
        self.assertRecordValues(
            self.company,
            [
                {
                    "aakash_sms_quiet_hours": True,
                    "aakash_sms_window_start": 9.0,
                    "aakash_sms_window_end": 18.5,
                }
            ],
        )
        with self.assertRaises(AccessError):
            self.provider.with_user(self.sms_user).write({"window_start": 6.0})

    def test_administrator_sets_sending_hours_in_settings(self):
        admin = role_user(self.env, "admin", "admin_hours")
        self.company.aakash_sms_quiet_hours = False
        settings = Form(self.env["res.config.settings"].with_user(admin))
        settings.aakash_sms_quiet_hours = True
        settings.aakash_sms_window_start = 7.0
        settings.save().execute()
        self.assertTrue(self.company.aakash_sms_quiet_hours)
        self.assertEqual(self.company.aakash_sms_window_start, 7.0)

    def test_bulk_send_at_night_waits_for_the_morning(self):
        with clock(self.night):
            composer = self.send(self.hari | self.sita)
            self.assertIn(
                "Outside the sending window: will go out at", composer.schedule_note
            )
            composer.save().action_send()
            self.run_queue()
        rows = self.messages_of(self.hari | self.sita)
        self.assertEqual(set(rows.mapped("state")), {"pending"})
        self.assertEqual(set(rows.mapped("quiet_hours")), {True})
        self.assertEqual(
            set(rows.mapped("next_attempt_date")),
            {self.opening},
            "the log shows when they go out",
        )
        self.assertFalse(self.gateway.messages)
        with clock(self.opening + timedelta(minutes=1)):
            self.run_queue()
        self.assertEqual(set(rows.mapped("state")), {"queued"})

    def test_one_recipient_goes_out_at_any_hour(self):
        with clock(self.night):
            composer = self.send(self.hari)
            self.assertFalse(composer.schedule_note)
            composer.save().action_send()
        self.assertRecordValues(
            self.messages_of(self.hari), [{"state": "queued", "quiet_hours": False}]
        )

    def test_server_action_marked_send_at_once_goes_out_at_night(self):
        action = self.env["ir.actions.server"].create(
            {
                "name": "Text now",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "state": "aakash_sms",
                "aakash_sms_body": "Your code is 1234",
            }
        )
        records = self.hari | self.sita
        with clock(self.night):
            action.with_context(
                active_model="res.partner", active_ids=[self.hari.id]
            ).run()
            action.aakash_sms_at_once = True
            action.with_context(
                active_model="res.partner", active_ids=[self.sita.id]
            ).run()
            self.run_queue()
        rows = self.messages_of(records)
        self.assertEqual(
            {row.partner_id: row.state for row in rows},
            {self.hari: "pending", self.sita: "queued"},
        )


@tagged("post_install", "-at_install")
class TestSendingHoursEdge(LoopbackMixin, common.TransactionCase):
    """The queue on committed rows while the window closes: it stops at the end and
    resumes at the next opening, nothing sent twice.

    No provider in the test's own transaction: a company's first provider writes the
    company (Odoo's SMS routed through Aakash), whose row the committed set-up below
    writes too.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_gateway()

    def test_large_send_stops_at_the_windows_end_and_resumes(self):
        dbname = self.env.cr.dbname
        count = 60
        with closing(sql_db.db_connect(dbname).cursor()) as cr:
            env = real_env(self.registry, cr)
            company = env.company
            saved = {
                name: company[name]
                for name in (
                    "aakash_sms_native",
                    "aakash_sms_quiet_hours",
                    "aakash_sms_window_start",
                    "aakash_sms_window_end",
                )
            }
            company.write({"aakash_sms_quiet_hours": True})
            provider = sandbox_provider(
                env, self.gateway, "Window", batch_size=10, parallel_requests=1
            )
            messages = pending_rows(
                provider,
                count,
                "Dashain sale",
                quiet_hours=True,
                send_ref="window-edge",
            )
            provider_id, message_ids = provider.id, messages.ids
            day = fields.Date.today() + timedelta(days=1)
            before_end = local_to_utc(company, day, 19, 59)
            after_end = local_to_utc(company, day, 20, 0, 1)
            opening = local_to_utc(company, day + timedelta(days=1), 8)
            # other connections must see the rows
            cr.commit()  # pylint: disable=invalid-commit

        def restore():
            with closing(sql_db.db_connect(dbname).cursor()) as cr:
                env = real_env(self.registry, cr)
                env.company.write(saved)
                env["ir.cron.trigger"].search([("call_at", "=", opening)]).unlink()
                cr.commit()  # pylint: disable=invalid-commit

        self.addCleanup(restore)
        self.addCleanup(delete_committed, dbname, provider_id, message_ids)

        def sends():
            return [r for r in self.gateway.requests if r.path.endswith("/v3/send")]

        lock = threading.Lock()

        def now(*_args):
            # the window ends while the queue runs: after its third request
            with lock:
                return before_end if len(sends()) < 3 else after_end

        def run_queue():
            with closing(sql_db.db_connect(dbname).cursor()) as cr:
                real_env(self.registry, cr)["aakash.sms.message"]._cron_send()
                cr.commit()  # pylint: disable=invalid-commit

        def states():
            with closing(sql_db.db_connect(dbname).cursor()) as cr:
                cr.execute(
                    "SELECT state, next_attempt_date, count(*) FROM aakash_sms_message"
                    " WHERE id IN %s GROUP BY state, next_attempt_date",
                    [tuple(message_ids)],
                )
                return {(state, due): n for state, due, n in cr.fetchall()}

        with patch.object(fields.Datetime, "now", now):
            run_queue()
        self.assertEqual(len(sends()), 3, "stopped at the window's end")
        self.assertEqual(states(), {("queued", None): 30, ("pending", opening): 30})
        with closing(sql_db.db_connect(dbname).cursor()) as cr:
            cr.execute(
                "SELECT count(*) FROM ir_cron_trigger WHERE call_at = %s", [opening]
            )
            self.assertTrue(cr.fetchone()[0], "the queue wakes at the opening")
        with clock(opening + timedelta(seconds=30)):
            run_queue()
        sent = self.gateway.sent_numbers()
        self.assertEqual(len(sent), count, "every SMS sent")
        self.assertEqual(len(set(sent)), count, "none twice")
        self.assertEqual(states(), {("queued", opening): 30, ("queued", None): 30})
