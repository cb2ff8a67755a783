from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import TOKEN, AakashSmsCase, pending_rows


@tagged("post_install", "-at_install")
class TestServerAction(AakashSmsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_contact = cls.env["res.partner"].create(
            {"name": "Himalaya Traders", "is_company": True, "phone": "9851000000"}
        )
        cls.ram = cls.env["res.partner"].create(
            {"name": "Ram", "phone": "9812345678", "parent_id": cls.company_contact.id}
        )
        cls.action = cls.env["ir.actions.server"].create(
            {
                "name": "Text the contact",
                "model_id": cls.env["ir.model"]._get_id("res.partner"),
                "state": "aakash_sms",
                "aakash_sms_body": "Namaste {{ object.name }}",
            }
        )

    def test_run_from_button(self):
        self.action.with_context(
            active_model="res.partner", active_ids=self.ram.ids, active_id=self.ram.id
        ).run()
        self.assertFalse(
            self.gateway.requests,
            "never sent inside the transaction that ran the action",
        )
        self.assertEqual(self.messages_of(self.ram).state, "pending")
        self.run_queue()
        self.assertEqual(
            [(r.form["to"], r.form["text"]) for r in self.gateway.requests],
            [("9812345678", "Namaste Ram")],
        )
        message = self.messages_of(self.ram)
        self.assertEqual(message.state, "queued")
        self.assertIn("Accepted by Aakash", message.mail_message_id.body)
        self.assertEqual(message.mail_message_id.res_id, self.ram.id)

    def test_recipient_from_partner_field(self):
        self.action.write(
            {
                "aakash_sms_recipient": "field",
                "aakash_sms_field_id": self.env["ir.model.fields"]
                ._get("res.partner", "parent_id")
                .id,
            }
        )
        self.action.with_context(
            active_model="res.partner", active_ids=self.ram.ids
        ).run()
        self.run_queue()
        self.assertEqual(self.gateway.sent_numbers(), ["9851000000"])
        self.assertEqual(self.messages_of(self.ram).partner_id, self.company_contact)

    def test_control_characters_refused_in_words(self):
        with self.assertRaisesRegex(UserError, "control character .U\\+0000."):
            self.action.aakash_sms_body = "Namaste\x00"
        with self.assertRaisesRegex(UserError, "control character"):
            self.action.copy({"aakash_sms_body": "bad\x07"})

    def test_broken_template_never_blocks_the_rule(self):
        self.require_base_automation()
        self.action.aakash_sms_body = "Hi {{ object.no_such_field }}"
        automation = self.env["base.automation"].create(
            {
                "name": "Welcome SMS",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "trigger": "on_create",
            }
        )
        self.action.base_automation_id = automation
        sita = self.env["res.partner"].create({"name": "Sita", "phone": "9841112222"})
        self.assertTrue(sita.exists(), "the contact is created")
        message = self.messages_of(sita)
        self.assertEqual((message.state, message.error_kind), ("rejected", "text"))
        self.assertIn("could not be rendered", message.mail_message_id.body)

    def test_template_and_warnings(self):
        self.action.aakash_sms_body = False
        self.assertIn("template", self.action.warning)
        template = self.env["sms.template"].create(
            {
                "name": "T",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "body": "Hi {{ object.name }} from template",
            }
        )
        self.action.aakash_sms_template_id = template
        self.assertFalse(self.action.warning)
        self.action.with_context(
            active_model="res.partner", active_ids=self.ram.ids
        ).run()
        self.run_queue()
        self.assertEqual(self.gateway.requests[0].form["text"], "Hi Ram from template")

    def test_automation_rule_on_create_and_update(self):
        self.require_base_automation()
        automation = self.env["base.automation"].create(
            {
                "name": "Welcome SMS",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "trigger": "on_create_or_write",
                "filter_domain": "[('phone', '!=', False)]",
                "trigger_field_ids": [
                    (
                        6,
                        0,
                        [self.env["ir.model.fields"]._get("res.partner", "phone").id],
                    )
                ],
            }
        )
        self.action.base_automation_id = automation
        sita = self.env["res.partner"].create({"name": "Sita", "phone": "984-111-2222"})
        self.assertFalse(
            self.gateway.requests,
            "never sent inside the transaction that fired the rule",
        )
        self.run_queue()
        self.assertEqual(self.gateway.sent_numbers(), ["9841112222"])
        sita.phone = "9801234567"
        self.run_queue()
        self.assertEqual(self.gateway.sent_numbers(), ["9841112222", "9801234567"])
        self.assertEqual(self.messages_of(sita).mapped("state"), ["queued", "queued"])

    def test_large_run_goes_to_queue(self):
        partners = self.env["res.partner"].create(
            [{"name": f"P{i}", "phone": f"98{i:08d}"} for i in range(150)]
        )
        self.action.aakash_sms_body = (
            "Dashain sale: 20% off today"  # one text for all: batched
        )
        self.action.with_context(
            active_model="res.partner", active_ids=partners.ids
        ).run()
        self.assertFalse(
            self.gateway.requests,
            "over the immediate limit: nothing sent in the request",
        )
        messages = self.messages_of(partners)
        self.assertEqual(len(messages), 150)
        self.assertEqual(set(messages.mapped("state")), {"pending"})
        self.assertEqual(len(set(messages.mapped("send_ref"))), 1)
        cron = self.env.ref("aakash_sms.ir_cron_aakash_sms_send")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))

        BusBus = type(self.env["bus.bus"])
        with patch.object(BusBus, "_sendone", autospec=True) as sendone:
            self.run_cron("aakash.sms.message", "_cron_send")
        self.assertEqual(set(messages.mapped("state")), {"queued"})
        self.assertEqual(
            len(self.gateway.requests), 2, "150 recipients in batches of 100"
        )
        done = [
            call.args
            for call in sendone.call_args_list
            if call.args[2] == "aakash_sms_send_done"
        ]
        self.assertEqual(
            len(done), 1, "the sender is told once, when the whole send is done"
        )
        self.assertEqual(done[0][1], self.env.user.partner_id)
        self.assertIn("150 recipients:\nAccepted by Aakash: 150", done[0][3]["message"])
        self.assertEqual(
            sorted(self.gateway.sent_numbers()), sorted(messages.mapped("number"))
        )
        self.assertEqual(len(messages.mail_message_id), 150, "one note per contact")
        self.assertEqual(
            messages.mail_message_id.author_id,
            self.env.user.partner_id,
            "signed by the sender",
        )

        self.run_cron("aakash.sms.message", "_cron_send")
        self.assertEqual(len(self.gateway.requests), 2, "nothing is sent twice")


@tagged("post_install", "-at_install")
class TestQueue(AakashSmsCase):
    def _pending(self, count, **extra):
        return pending_rows(
            self.provider, count, "queued text", **dict({"send_ref": "ref1"}, **extra)
        )

    def test_interrupted_send_becomes_uncertain(self):
        messages = self._pending(3)
        # left by a worker that died: nobody holds its key
        messages.write({"state": "sending"})
        self.run_cron("aakash.sms.message", "_cron_send")
        self.assertEqual(set(messages.mapped("state")), {"uncertain"})
        self.assertIn("may have been sent", messages[0].reason.lower())
        self.assertFalse(self.gateway.requests)

    def test_unreachable_gateway_is_retried_then_failed(self):
        messages = self._pending(2)
        self.provider.base_url = "http://127.0.0.1:9/sms"
        self.run_cron("aakash.sms.message", "_cron_send")
        self.assertEqual(set(messages.mapped("state")), {"pending"})
        self.assertEqual(messages.mapped("attempt_count"), [1, 1])
        self.assertTrue(
            all(m.next_attempt_date > fields.Datetime.now() for m in messages)
        )
        self.run_cron("aakash.sms.message", "_cron_send")
        self.assertEqual(
            messages.mapped("attempt_count"), [1, 1], "not retried before its time"
        )
        for attempt in range(2, 6):
            messages.write(
                {"next_attempt_date": fields.Datetime.now() - timedelta(minutes=1)}
            )
            self.run_cron("aakash.sms.message", "_cron_send")
            self.assertEqual(messages.mapped("attempt_count"), [attempt, attempt])
        self.assertEqual(set(messages.mapped("state")), {"failed"})
        self.assertEqual(messages.mapped("attempt_count"), [5, 5])
        self.assertFalse(self.gateway.requests)

    def test_report_sync(self):
        messages = self._pending(3)
        self.run_queue()
        self.assertEqual(set(messages.mapped("state")), {"queued"})
        first, second, third = messages
        self.gateway.set_status(int(first.gateway_id), "delivered")
        self.gateway.set_status(int(second.gateway_id), "failed")
        updated = self.run_cron("aakash.sms.message", "_cron_sync_reports")
        self.assertEqual(updated, first | second)
        self.assertEqual(
            messages.mapped("state"), ["delivered", "undelivered", "queued"]
        )
        self.assertEqual(second.gateway_status, "failed")
        self.assertEqual(self.gateway.requests[-1].path, "/sms/v1/report/api")

    def test_report_pages_until_all_found(self):
        old = self._pending(1)
        self.run_queue()
        newer = self._pending(45, send_ref="ref2")  # another send
        self.run_queue()
        self.gateway.set_status(int(old.gateway_id), "delivered")
        self.gateway.clear()
        self.run_cron("aakash.sms.message", "_cron_sync_reports")
        self.assertEqual(old.state, "delivered")
        self.assertEqual(set(newer.mapped("state")), {"queued"}, "no news of them")
        pages = [r.form["page"] for r in self.gateway.requests]
        self.assertEqual(pages, ["1", "2", "3"], "46 messages at 20 a page")

    def test_low_balance_activity(self):
        manager = self.env.ref("base.user_admin")
        self.provider.low_balance_threshold = 100
        self.gateway.credits[TOKEN] = 40
        self.run_cron("aakash.sms.provider", "_cron_refresh_balance")
        self.assertEqual(self.provider.balance, 40)
        activity_type = self.env.ref("aakash_sms.mail_activity_type_low_balance")
        activities = self.provider.activity_ids.filtered(
            lambda a: a.activity_type_id == activity_type
        )
        self.assertIn(manager, activities.user_id)
        self.assertNotIn(
            self.sms_user, activities.user_id, "plain SMS users are not warned"
        )
        self.run_cron("aakash.sms.provider", "_cron_refresh_balance")
        self.assertEqual(
            len(self.provider.activity_ids), len(activities), "warned once"
        )
        self.gateway.credits[TOKEN] = 500
        self.provider.activity_ids.unlink()
        self.run_cron("aakash.sms.provider", "_cron_refresh_balance")
        self.assertFalse(self.provider.activity_ids)
