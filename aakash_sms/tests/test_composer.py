import socket

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import TOKEN, AakashSmsCase


@tagged("post_install", "-at_install")
class TestComposerPartner(AakashSmsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ram, cls.sita, cls.landline, cls.nophone = cls.contacts(
            ("Ram Thapa", "+977-981-2345678"),
            ("Sita Rai", "984 111 2222"),
            ("Hari Office", "01-4412345"),
            ("Gita No Phone", None),
        )

    def test_single_partner_send(self):
        composer = self.open_composer(self.ram, user=self.sms_user)
        self.assertEqual(composer.valid_count, 1)
        composer.body = "Namaste Ram, your order is ready."
        self.assertEqual(composer.encoding, "gsm7")
        self.assertEqual(composer.segment_count, 1)
        self.assertEqual(composer.credit_estimate, 1)
        action = composer.save().action_send()
        self.assertEqual(action["params"]["type"], "success")

        self.assertEqual(self.gateway.sent_numbers(), ["9812345678"])
        message = self.messages_of(self.ram)
        self.assertRecordValues(
            message,
            [
                {
                    "state": "queued",
                    "number": "9812345678",
                    "number_raw": "+977-981-2345678",
                    "network": "Ncell",
                    "credits": 1.0,
                    "partner_id": self.ram.id,
                    "user_id": self.sms_user.id,
                    "body": "Namaste Ram, your order is ready.",
                    "provider_id": self.provider.id,
                }
            ],
        )
        self.assertTrue(message.gateway_id)
        note = message.mail_message_id
        self.assertEqual(note.model, "res.partner")
        self.assertEqual(note.res_id, self.ram.id)
        self.assertEqual(note.message_type, "notification")
        self.assertIn("9812345678", note.body)
        self.assertIn("Accepted by Aakash", note.body)
        self.assertIn("Ncell", note.body)
        self.assertIn(f"/odoo/aakash.sms.message/{message.id}", note.body)
        self.assertTrue(note.is_internal)

    def test_many_partners_preview_and_send(self):
        partners = self.ram | self.sita | self.landline | self.nophone
        composer = self.open_composer(partners)
        self.assertEqual(composer.recipient_count, 4)
        self.assertEqual(composer.valid_count, 2)
        self.assertEqual(composer.invalid_count, 2)
        composer.body = "नमस्ते! Your invoice is ready."
        lines = {line.partner_id: line for line in composer.save().line_ids}
        self.assertEqual(lines[self.sita].number, "9841112222")
        self.assertFalse(lines[self.landline].valid)
        self.assertIn("landline", lines[self.landline].reason)
        self.assertEqual(lines[self.nophone].reason, "no number")
        self.assertEqual(composer.encoding, "unicode")
        self.assertEqual(composer.credit_estimate, 2)
        action = composer.save().action_send()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertEqual(
            sorted(self.gateway.sent_numbers()), ["9812345678", "9841112222"]
        )
        self.assertEqual(
            len(self.gateway.requests), 1, "two valid recipients fit one batch"
        )
        messages = self.messages_of(partners)
        self.assertEqual(len(messages), 4, "every record gets a log row, sent or not")
        by_partner = {m.partner_id: m for m in messages}
        self.assertEqual(by_partner[self.landline].state, "rejected")
        self.assertEqual(by_partner[self.nophone].state, "rejected")
        self.assertEqual(by_partner[self.sita].network, "NTC")
        for partner in partners:
            notes = partner.message_ids.filtered(
                lambda m: "SMS via Aakash" in (m.body or "")
            )
            self.assertEqual(len(notes), 1, partner.name)
        self.assertIn("no number", by_partner[self.nophone].mail_message_id.body)

    def test_template_rendered_per_record(self):
        template = self.env["sms.template"].create(
            {
                "name": "Greeting",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "body": "Dear {{ object.name }}, thank you.",
            }
        )
        composer = self.open_composer(self.ram | self.sita)
        composer.template_id = template
        self.assertEqual(composer.body, template.body)
        composer.save().action_send()
        self.assertFalse(
            self.gateway.requests,
            "two texts are two requests: queued, not sent in the request",
        )
        self.run_queue()
        texts = {r.form["to"]: r.form["text"] for r in self.gateway.requests}
        self.assertEqual(
            texts,
            {
                "9812345678": "Dear Ram Thapa, thank you.",
                "9841112222": "Dear Sita Rai, thank you.",
            },
        )
        self.assertEqual(self.messages_of(self.sita).body, "Dear Sita Rai, thank you.")

    def test_template_single_record_shows_rendered_text(self):
        template = self.env["sms.template"].create(
            {
                "name": "Greeting",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "body": "Hello {{ object.name }}",
            }
        )
        composer = self.open_composer(self.ram)
        composer.template_id = template
        self.assertEqual(composer.body, "Hello Ram Thapa")

    def test_nul_character_refused_in_words(self):
        composer = self.open_composer(self.ram)
        composer.body = "Namaste\x00 Ram"
        with self.assertRaisesRegex(UserError, "control character .U\\+0000."):
            composer.save()
        self.assertFalse(self.messages_of(self.ram))

    def test_invisible_only_text_refused_as_empty(self):
        composer = self.open_composer(self.ram)
        composer.body = (
            "\u200b\u200b\ufeff"  # zero-width spaces and a BOM: nothing to read
        )
        record = composer.save()
        self.assertIn("Type a text", record.send_blocker)
        with self.assertRaisesRegex(UserError, "empty"):
            record.action_send()
        self.assertFalse(self.gateway.requests)
        self.assertFalse(self.messages_of(self.ram))

    def test_empty_text_refused(self):
        composer = self.open_composer(self.ram)
        composer.body = "   "
        with self.assertRaisesRegex(UserError, "empty"):
            composer.save().action_send()
        self.assertFalse(self.gateway.requests)
        self.assertFalse(self.messages_of(self.ram))

    def test_no_valid_recipient_refused(self):
        composer = self.open_composer(self.landline | self.nophone)
        composer.body = "hello"
        with self.assertRaisesRegex(UserError, "can be texted"):
            composer.save().action_send()
        self.assertFalse(self.gateway.requests)

    def test_over_long_text_refused_before_sending(self):
        composer = self.open_composer(self.ram)
        composer.body = "x" * 1600  # 11 parts, more than Aakash allows
        self.assertEqual(composer.segment_count, 11)
        with self.assertRaisesRegex(UserError, "too long"):
            composer.save().action_send()
        self.assertFalse(self.gateway.requests)


@tagged("post_install", "-at_install")
class TestComposerFailures(AakashSmsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partners = cls.env["res.partner"].create(
            [
                {"name": "Ram", "phone": "9812345678"},
                {"name": "Sita", "phone": "9841112222"},
            ]
        )

    def send(self, text="hello"):
        composer = Form(
            self.env["aakash.sms.composer"].with_context(
                active_model="res.partner", active_ids=self.partners.ids
            )
        )
        composer.body = text
        return composer.save().action_send()

    def assert_all(self, state, reason_part):
        messages = self.messages_of(self.partners)
        self.assertEqual(len(messages), 2)
        self.assertEqual(set(messages.mapped("state")), {state})
        for message in messages:
            self.assertIn(reason_part, message.reason)
            self.assertIn(reason_part, message.mail_message_id.body)
            self.assertNotIn(self.provider.sudo().auth_token, message.reason)
            self.assertNotIn(
                self.provider.sudo().auth_token, message.mail_message_id.body
            )
        return messages

    def test_bad_token(self):
        self.provider.auth_token = "wrong-token"
        action = self.send()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("not valid", action["params"]["message"])
        self.assert_all("failed", "Auth Token is not valid")

    def test_no_balance(self):
        self.gateway.credits[self.provider.sudo().auth_token] = 1
        self.send()
        self.assert_all("failed", "enough balance")
        self.assertEqual(self.gateway.credits[self.provider.sudo().auth_token], 1)

    def test_timeout_is_uncertain_and_not_resent(self):
        self.provider.timeout = 1
        self.gateway.inject("timeout", seconds=3)
        self.send()
        messages = self.assert_all("uncertain", "may have been sent")
        self.assertEqual(len(self.gateway.requests), 1)
        self.assertEqual(len(self.gateway.messages), 2, "the gateway did queue them")
        with self.assertRaises(UserError):
            messages.action_resend()
        self.assertEqual(
            len(self.gateway.requests), 1, "uncertain rows are never resent"
        )

    def test_html_error_page(self):
        self.gateway.inject("html")
        self.send()
        self.assert_all("uncertain", "not JSON")

    def test_gateway_unreachable(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            closed_port = sock.getsockname()[1]
        self.provider.base_url = f"http://127.0.0.1:{closed_port}/sms"
        self.send()
        self.assert_all("failed", "cannot be reached")

    def test_resend_failed_only(self):
        self.provider.auth_token = "wrong-token"
        self.send()
        failed = self.messages_of(self.partners)
        self.provider.auth_token = TOKEN
        self.gateway.clear()
        failed.action_resend()
        resent = failed.mapped("resend_id")
        self.assertEqual(
            set(resent.mapped("state")), {"pending"}, "resends go through the queue"
        )
        self.assertFalse(self.gateway.requests)
        self.run_queue()
        self.assertEqual(set(resent.mapped("state")), {"queued"})
        self.assertEqual(
            sorted(self.gateway.sent_numbers()), ["9812345678", "9841112222"]
        )
        self.gateway.clear()
        with self.assertRaises(UserError):
            (failed | resent).filtered(lambda m: m.state == "queued").action_resend()
        with self.assertRaises(UserError):
            failed.action_resend()  # already resent once
        self.assertFalse(
            self.gateway.requests, "accepted messages are never sent twice"
        )
