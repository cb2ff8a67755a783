"""A fallback provider carries the SMS another provider's account refused."""

from odoo.tests import Form, tagged

from .common import TOKEN, AakashSmsCase, role_user, sandbox_provider


@tagged("post_install", "-at_install")
class TestFallbackProvider(AakashSmsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fallback = sandbox_provider(
            cls.env, cls.gateway, "Second Account", auth_token="second-token"
        )
        cls.hari, cls.sita = cls.contacts(
            ("Hari Fallback", "9812345678"), ("Sita Fallback", "9801234567")
        )

    def setUp(self):
        super().setUp()
        self.gateway.credits["second-token"] = 1000

    def set_fallback(self):
        manager = role_user(self.env, "sms_manager", "sms_manager_fallback")
        with Form(self.fallback.with_user(manager)) as form:
            form.is_fallback = True

    def queue_bulk(self):
        records = self.hari | self.sita
        composer = self.open_composer(records, user=self.sms_user)
        composer.body = "Namaste {{ object.name }}"  # personalised: queued
        composer.save().action_send()
        self.run_queue()
        # the refused rows wait again, through the fallback: the queue is woken at once
        self.run_queue()
        return self.messages_of(records)

    def test_empty_balance_is_carried_by_the_fallback(self):
        self.set_fallback()
        self.gateway.credits[TOKEN] = 0
        rows = self.queue_bulk()
        self.assertEqual(set(rows.mapped("state")), {"queued"})
        self.assertEqual(rows.provider_id, self.fallback, "the log says who carried")
        self.assertEqual(rows.fallback_from_id, self.provider)
        note = rows[0].mail_message_id.body
        self.assertIn("through the fallback provider Second Account", note)
        self.assertIn("Aakash Sandbox refused", note)

    def test_refused_token_without_fallback_fails(self):
        self.gateway.credits = {"second-token": 1000}  # the default's token refused
        rows = self.queue_bulk()
        self.assertEqual(set(rows.mapped("state")), {"failed"})
        self.assertEqual(set(rows.mapped("error_kind")), {"auth"})
        self.assertFalse(rows.fallback_from_id)

    def test_refused_token_is_carried_by_the_fallback(self):
        self.set_fallback()
        self.gateway.credits = {"second-token": 1000}
        rows = self.queue_bulk()
        self.assertEqual(set(rows.mapped("state")), {"queued"})
        self.assertEqual(rows.provider_id, self.fallback)

    def test_uncertain_rows_never_go_through_the_fallback(self):
        self.set_fallback()
        self.gateway.inject("drop", times=2, path="/v3/send")
        rows = self.queue_bulk()
        self.assertEqual(set(rows.mapped("state")), {"uncertain"})
        self.assertEqual(rows.provider_id, self.provider)
        self.assertFalse(rows.fallback_from_id)
        sent = self.gateway.sent_numbers()
        self.assertEqual(sorted(sent), sorted(set(sent)), "each number once")
