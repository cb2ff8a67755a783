"""Send at a chosen time: rows wait for their due date (one rule in the engine)."""

from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import AakashSmsCase, role_user
from .test_large_send import LargeSendMixin


@contextmanager
def clock(moment):
    """Every ``fields.Datetime.now()`` (the engine's clock) at ``moment``."""
    with patch.object(fields.Datetime, "now", lambda *args: moment):
        yield


@tagged("post_install", "-at_install")
class TestScheduledSend(LargeSendMixin, AakashSmsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sms_user.tz = "Asia/Kathmandu"
        cls.hari, cls.sita = cls.contacts(
            ("Hari Scheduled", "9812345678"), ("Sita Scheduled", "9801234567")
        )
        cls.colleague = new_test_user(
            cls.env,
            login="sms_colleague_later",
            groups="base.group_user,aakash_sms.group_aakash_sms_user",
        )
        cls.manager = role_user(cls.env, "sms_manager", "sms_manager_later")
        # tomorrow 09:00 in Kathmandu (UTC+05:45) is 03:15 UTC
        cls.tomorrow = datetime.combine(
            fields.Date.today() + timedelta(days=1), datetime.min.time()
        ) + timedelta(hours=3, minutes=15)

    def schedule(self, records, at, user=None):
        composer = self.open_composer(records, user=user or self.sms_user)
        composer.body = "Namaste, your order is ready."
        composer.scheduled_date = at
        return composer

    def queue_triggers(self):
        cron = self.env.ref("aakash_sms.ir_cron_aakash_sms_send")
        return self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])

    def test_sms_user_schedules_one_recipient_for_tomorrow_morning(self):
        composer = self.schedule(self.hari, self.tomorrow)
        self.assertIn("Will be sent on", composer.schedule_note)
        self.assertIn("9:00:00", composer.schedule_note, "in the user's time zone")
        action = composer.save().action_send()
        self.assertEqual(action["params"]["title"], "SMS scheduled")
        self.assertIn("Will be sent on", action["params"]["message"])
        row = self.messages_of(self.hari)
        self.assertRecordValues(
            row, [{"state": "pending", "next_attempt_date": self.tomorrow}]
        )
        self.assertFalse(self.gateway.messages, "not sent at the click")
        self.assertIn(
            self.tomorrow,
            self.queue_triggers().mapped("call_at"),
            "the queue wakes when the row is due",
        )
        self.run_queue()
        self.assertEqual(row.state, "pending", "not due yet: the queue leaves it")
        self.assertIn(self.tomorrow, self.queue_triggers().mapped("call_at"))
        with clock(self.tomorrow + timedelta(seconds=1)):
            self.run_queue()
        self.assertEqual(row.state, "queued")
        self.assertEqual(len(self.gateway.messages), 1)

    def test_default_is_now_and_sends_at_once(self):
        composer = self.open_composer(self.hari, user=self.sms_user)
        composer.body = "Namaste"
        self.assertFalse(composer.schedule_note)
        composer.save().action_send()
        self.assertEqual(self.messages_of(self.hari).state, "queued")

    def test_sender_cancels_a_scheduled_send_before_it_leaves(self):
        records = self.hari | self.sita
        self.schedule(records, self.tomorrow).save().action_send()
        rows = self.messages_of(records)
        self.assertEqual(set(rows.mapped("state")), {"pending"})
        with self.assertRaises(AccessError):
            rows[:1].with_user(self.colleague).action_cancel_scheduled()
        self.assertEqual(set(rows.mapped("state")), {"pending"})
        # one row of the send cancels it as a whole
        rows[:1].with_user(self.sms_user).action_cancel_scheduled()
        self.assertEqual(set(rows.mapped("state")), {"canceled"})
        self.assertIn("Canceled by SMS User", rows[0].reason)
        note = rows[0].mail_message_id
        self.assertIn("Canceled", note.body, "recorded in the chatter")
        with clock(self.tomorrow + timedelta(hours=1)):
            self.run_queue()
        self.assertEqual(set(rows.mapped("state")), {"canceled"})
        self.assertFalse(self.gateway.messages, "nothing sent once canceled")

    def test_sms_manager_cancels_a_users_scheduled_send(self):
        self.schedule(self.hari, self.tomorrow).save().action_send()
        row = self.messages_of(self.hari)
        row.with_user(self.manager).action_cancel_scheduled()
        self.assertEqual(row.state, "canceled")

    def test_scheduled_large_send_waits_and_is_canceled_as_a_whole(self):
        domain = [("name", "=like", "% Scheduled")]
        composer = self.open_over_domain(domain, user=self.sms_user)
        composer.body = "Dashain sale"
        composer.scheduled_date = self.tomorrow
        action = composer.save().action_send()
        self.assertIn("Will be sent on", action["params"]["message"])
        send = self.send_of(action)
        self.assertEqual(send.scheduled_date, self.tomorrow)
        self.run_queue()
        rows = self.messages_of(self.hari | self.sita)
        self.assertEqual(len(rows), 2, "prepared ahead of time")
        self.assertEqual(set(rows.mapped("next_attempt_date")), {self.tomorrow})
        self.assertFalse(self.gateway.messages)
        with self.assertRaises(AccessError):
            send.with_user(self.colleague).action_cancel()
        send.with_user(self.sms_user).action_cancel()
        self.assertEqual(set(rows.mapped("state")), {"canceled"})
        self.assertEqual(send.state, "canceled")
        with clock(self.tomorrow + timedelta(minutes=5)):
            self.run_queue()
        self.assertFalse(self.gateway.messages)

    def test_server_action_sends_two_hours_after_its_trigger(self):
        action = self.env["ir.actions.server"].create(
            {
                "name": "Text later",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "state": "aakash_sms",
                "aakash_sms_body": "Namaste {{ object.name }}",
                "aakash_sms_delay": 2,
                "aakash_sms_delay_unit": "hours",
            }
        )
        moment = datetime(2026, 12, 3, 10, 0)
        with clock(moment):
            action.with_context(
                active_model="res.partner", active_ids=self.hari.ids
            ).run()
        row = self.messages_of(self.hari)
        self.assertRecordValues(
            row,
            [{"state": "pending", "next_attempt_date": moment + timedelta(hours=2)}],
        )
        with clock(moment + timedelta(hours=1)):
            self.run_queue()
        self.assertEqual(row.state, "pending")
        with clock(moment + timedelta(hours=2, minutes=1)):
            self.run_queue()
        self.assertEqual(row.state, "queued")
