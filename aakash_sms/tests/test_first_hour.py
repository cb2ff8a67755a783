"""A shop owner's first hour: one obvious "Send SMS", through Aakash once set up."""

from unittest.mock import patch

from odoo.tests import tagged

from odoo.addons.aakash_sms.exceptions import DIALOG, TitledUserError

from .common import AakashSmsCase, load_nepali, role_user, sandbox_provider


@tagged("post_install", "-at_install")
class TestOneSendSms(AakashSmsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop = cls.env["res.company"].create(
            {"name": "Thamel Tea House", "country_id": cls.env.ref("base.np").id}
        )
        cls.shop_user = role_user(
            cls.env,
            "employee",
            "thamel_sms",
            name="Thamel SMS User",
            company_id=cls.shop.id,
            company_ids=[(6, 0, cls.shop.ids)],
        )
        cls.shop_user.group_ids += cls.env.ref("aakash_sms.group_aakash_sms_user")
        cls.customer = cls.env["res.partner"].create(
            {"name": "Sita Gurung", "phone": "9812345678", "company_id": cls.shop.id}
        )

    def send_sms_actions(self, user):
        """The names of the entries of a contact form's Actions menu that text."""
        bindings = (
            self.env["ir.actions.actions"]
            .with_user(user)
            .with_company(user.company_id)
            .get_bindings("res.partner")
        )
        return sorted(
            action["name"]
            for action in bindings.get("action", ())
            if "SMS" in action["name"]
            and "form" in (action.get("binding_view_types") or "").split(",")
        )

    def test_the_first_provider_routes_odoos_sms_through_aakash_and_says_so(self):
        self.assertFalse(self.shop.aakash_sms_native)
        provider = sandbox_provider(
            self.env, self.gateway, "Thamel Aakash", company_id=self.shop.id
        )
        self.assertTrue(self.shop.aakash_sms_native)
        self.assertIn(
            "now go through Aakash SMS",
            provider.message_ids[:1].body,
            "the provider's chatter says what changed, and where to switch it off",
        )

    def test_a_company_that_switched_routing_off_keeps_it_off(self):
        sandbox_provider(self.env, self.gateway, "First", company_id=self.shop.id)
        self.shop.aakash_sms_native = False
        sandbox_provider(self.env, self.gateway, "Second", company_id=self.shop.id)
        self.assertFalse(self.shop.aakash_sms_native)

    def test_an_archived_provider_counts_as_set_up(self):
        """A company that had a provider (an upgraded database) already chose."""
        first = sandbox_provider(self.env, self.gateway, "Old", company_id=self.shop.id)
        self.shop.aakash_sms_native = False
        first.active = False
        sandbox_provider(self.env, self.gateway, "New", company_id=self.shop.id)
        self.assertFalse(self.shop.aakash_sms_native)

    def test_one_send_sms_in_the_actions_menu_once_routed(self):
        self.assertEqual(
            self.send_sms_actions(self.shop_user),
            ["Send SMS", "Send SMS (Aakash)"],
            "no provider yet: Odoo's own and Aakash's",
        )
        sandbox_provider(self.env, self.gateway, "Thamel", company_id=self.shop.id)
        self.assertEqual(self.send_sms_actions(self.shop_user), ["Send SMS"])
        [action] = [
            action
            for action in self.env["ir.actions.actions"]
            .with_user(self.shop_user)
            .with_company(self.shop)
            .get_bindings("res.partner")["action"]
            if action["name"] == "Send SMS"
        ]
        self.assertEqual(
            self.env["ir.actions.act_window"].browse(action["id"]).res_model,
            "aakash.sms.composer",
        )
        self.shop.aakash_sms_native = False
        self.assertEqual(
            self.send_sms_actions(self.shop_user),
            ["Send SMS", "Send SMS (Aakash)"],
        )

    def test_the_phone_fields_sms_button_opens_the_aakash_wizard(self):
        Composer = self.env["aakash.sms.composer"]
        sandbox_provider(self.env, self.gateway, "Thamel", company_id=self.shop.id)
        action = Composer.with_user(self.shop_user).action_open_for_phone_field(
            "res.partner", self.customer.id
        )
        self.assertEqual(action["res_model"], "aakash.sms.composer")
        self.assertEqual(action["context"]["active_ids"], self.customer.ids)
        # an employee without the Aakash group: Odoo's composer (through Aakash)
        employee = role_user(
            self.env,
            "employee",
            "thamel_clerk",
            company_id=self.shop.id,
            company_ids=[(6, 0, self.shop.ids)],
        )
        self.assertFalse(
            Composer.with_user(employee).action_open_for_phone_field(
                "res.partner", self.customer.id
            )
        )
        self.shop.aakash_sms_native = False
        self.assertFalse(
            Composer.with_user(self.shop_user).action_open_for_phone_field(
                "res.partner", self.customer.id
            )
        )


@tagged("post_install", "-at_install")
class TestLogAnswers(AakashSmsCase):
    """The SMS log answers a shop owner's questions, in their language."""

    def send(self, partners, text="Namaste", user=None):
        composer = self.open_composer(partners, user=user or self.sms_user)
        composer.body = text
        composer.save().action_send()
        return self.messages_of(partners)

    def refused(self, partners):
        """The rows of a send to ``partners`` that refuses them all (the wizard
        would say so and send nothing)."""
        return self.env["aakash.sms.message"]._aakash_create_rows(
            partners, dict.fromkeys(partners.ids, "Namaste")
        )

    def test_reasons_are_shown_in_the_readers_language(self):
        load_nepali(self.env)
        partner = self.contacts(("Short Number", "981234567"))
        row = self.refused(partner)
        self.assertEqual(row.reason_code, "number_length")
        self.assertEqual(row.reason, "a Nepali mobile number has 10 digits")
        self.assertEqual(
            row.with_context(lang="ne_NP").reason_shown,
            "नेपाली मोबाइल नम्बरमा १० अङ्क हुन्छन्",
        )
        self.assertEqual(
            row.with_context(lang="en_US").reason_shown,
            "a Nepali mobile number has 10 digits",
        )
        # a reason with values: the values go into the reader's sentence
        self.env["phone.blacklist"].sudo().add("+9779812345678")
        [opted_out] = self.refused(self.contacts(("Blocked", "9812345678")))
        self.assertEqual(opted_out.reason_code, "opted_out")
        self.assertEqual(
            opted_out.with_context(lang="ne_NP").reason_shown,
            "SMS नचाहने (नम्बर SMS कालोसूचीमा छ)",
        )

    def test_rows_written_before_codes_keep_their_reason(self):
        [row] = self.refused(self.contacts(("Old Row", "981234567")))
        row.sudo().write({"reason": "an old reason"})
        self.assertFalse(row.reason_code)
        self.assertEqual(row.with_context(lang="ne_NP").reason_shown, "an old reason")

    def test_a_row_names_its_recipient(self):
        [with_partner] = self.send(self.contacts(("Sita Gurung", "9812345678")))
        self.assertEqual(with_partner.display_name, "SMS to Sita Gurung (9812345678)")
        row = with_partner.sudo().copy({"partner_id": False})
        self.assertEqual(row.display_name, "SMS to 9812345678")
        row.write({"number": False, "number_raw": False})
        self.assertEqual(row.display_name, "SMS without a number")

    def test_resend_through_another_provider(self):
        self.provider.auth_token = "wrong-token"
        partner = self.contacts(("Hari Thapa", "9812345678"))
        [failed] = self.send(partner)
        self.assertEqual(failed.state, "failed")
        other = sandbox_provider(self.env, self.gateway, "Working Account")
        self.gateway.clear()
        wizard = (
            self.env["aakash.sms.resend"]
            .with_user(self.sms_user)
            .with_context(active_model="aakash.sms.message", active_ids=failed.ids)
            .create({})
        )
        self.assertEqual(wizard.resendable_count, 1)
        wizard.provider_id = other.with_user(self.sms_user)
        wizard.action_resend()
        self.run_queue()
        self.assertEqual(failed.resend_id.provider_id, other)
        self.assertEqual(failed.resend_id.state, "queued")
        self.assertEqual(self.gateway.sent_numbers(), ["9812345678"])


@tagged("post_install", "-at_install")
class TestBalanceWhereDecided(AakashSmsCase):
    def test_the_balance_follows_each_send_and_shows_in_the_wizard(self):
        self.provider.action_refresh_balance()
        self.assertEqual(self.provider.balance, 1000)
        partners = self.contacts(("Ram", "9812345678"), ("Gita", "9841112222"))
        composer = self.open_composer(partners, user=self.sms_user)
        composer.body = "Namaste"
        self.assertEqual(
            composer.balance_note,
            "1,000 credits left on Aakash Sandbox; this send: about 2",
        )
        composer.save().action_send()
        self.assertEqual(self.provider.balance, 998, "lowered by the credits reported")
        # a queued send: lowered when the queue run ends
        composer = self.open_composer(partners, user=self.sms_user)
        composer.body = "Dear {{ object.name }}"
        composer.save().action_send()
        self.assertEqual(self.provider.balance, 998)
        self.run_queue()
        self.assertEqual(self.provider.balance, 996)

    def test_a_balance_never_read_is_left_alone(self):
        self.assertFalse(self.provider.balance_date)
        composer = self.open_composer(
            self.contacts(("Ram", "9812345678")), user=self.sms_user
        )
        composer.body = "Namaste"
        self.assertFalse(composer.balance_note, "no balance known yet: none shown")
        composer.save().action_send()
        self.assertEqual(self.provider.balance, 0)
        self.assertFalse(self.provider.activity_ids, "no warning about an unknown")

    def test_a_send_that_crosses_warn_below_warns_the_managers(self):
        self.provider.action_refresh_balance()
        self.provider.low_balance_threshold = 999.5
        self.assertFalse(self.provider.activity_ids)
        composer = self.open_composer(
            self.contacts(("Ram", "9812345678")), user=self.sms_user
        )
        composer.body = "Namaste"
        composer.save().action_send()
        self.assertEqual(self.provider.balance, 999)
        self.assertTrue(self.provider.activity_ids, "SMS managers get a to-do")


@tagged("post_install", "-at_install")
class TestOneNotificationPerSend(AakashSmsCase):
    def bus_notifications(self):
        """Run the queue: the "send done" notifications it sent, ``[(partner,
        payload)]``."""
        BusBus = type(self.env["bus.bus"])
        with patch.object(BusBus, "_sendone", autospec=True) as sendone:
            self.run_queue()
        return [
            (call.args[1], call.args[3])
            for call in sendone.call_args_list
            if call.args[2] == "aakash_sms_send_done"
        ]

    def test_a_queued_send_is_one_notification_replaced_when_done(self):
        load_nepali(self.env)
        self.sms_user.lang = "ne_NP"
        partners = self.contacts(("Ram", "9812345678"), ("Gita", "9841112222"))
        composer = self.open_composer(partners, user=self.sms_user)
        composer.body = "Namaste {{ object.name }}"
        action = composer.save().action_send()
        send_ref = self.messages_of(partners)[:1].send_ref
        self.assertEqual(action["params"]["send_ref"], send_ref)
        [(partner, payload)] = self.bus_notifications()
        self.assertEqual(partner, self.sms_user.partner_id)
        self.assertEqual(payload["send_ref"], send_ref, "it replaces the first one")
        self.assertIn("गेटवेमा लाममा: 2", payload["message"], "true, in Nepali")
        self.assertEqual(self.bus_notifications(), [], "told once")


@tagged("post_install", "-at_install")
class TestCounterExplains(AakashSmsCase):
    def test_the_unicode_hint_shows_whole_words(self):
        composer = self.open_composer(self.contacts(("Ram", "9812345678")))
        composer.body = "नमस्ते Ram, your order is ready"
        self.assertEqual(
            composer.unicode_note,
            "Unicode (70 characters per SMS instead of 160) because of: नमस्ते",
        )

    def test_the_preview_says_which_look_alikes_were_replaced(self):
        composer = self.open_composer(self.contacts(("Ram", "9812345678")))
        composer.body = "It\u2019s ready \u2013 thank you"
        self.assertEqual(composer.encoding, "gsm7")
        self.assertEqual(
            composer.lookalike_note,
            "Replaced to stay GSM-7 (160 characters per SMS): \u2019 → ', \u2013 → -",
        )
        composer.body = "It's ready - thank you"
        self.assertFalse(composer.lookalike_note)

    def test_templates_to_start_from_in_each_customers_language(self):
        """Greeting, order ready, payment received: English, Nepali for a customer
        who reads Nepali."""
        load_nepali(self.env)
        for xml_id in ("greeting", "order_ready", "payment_thanks"):
            template = self.env.ref(f"aakash_sms.sms_template_partner_{xml_id}")
            self.assertEqual(template.model, "res.partner")
        ram = self.contacts(("Ram Thapa", "9812345678"))
        composer = self.open_composer(ram, user=self.sms_user)
        composer.template_id = self.env.ref("aakash_sms.sms_template_partner_greeting")
        company = self.sms_user.company_id.name
        self.assertEqual(
            composer.body,
            f"Namaste Ram Thapa! Thank you for being our customer. - {company}",
        )
        self.assertEqual(composer.segment_count, 1)
        sita = self.contacts(("Sita Rai", "9841112222"))
        sita.lang = "ne_NP"
        composer = self.open_composer(sita, user=self.sms_user)
        composer.template_id = self.env.ref("aakash_sms.sms_template_partner_greeting")
        self.assertEqual(
            composer.body,
            f"नमस्ते Sita Rai ज्यू! हाम्रो ग्राहक हुनुभएकोमा धन्यवाद। - {company}",
        )

    def test_the_server_action_counts_its_text(self):
        action = self.env["ir.actions.server"].create(
            {
                "name": "Greet",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "state": "aakash_sms",
                "aakash_sms_body": "Namaste {{ object.name }}",
            }
        )
        self.assertEqual(
            action.aakash_sms_text_summary,
            "GSM-7: 29 characters, 1 SMS part per record before the placeholders "
            "are filled in",
        )


@tagged("post_install", "-at_install")
class TestWords(AakashSmsCase):
    def test_dialogs_are_titled_for_what_happened(self):
        partner = self.contacts(("Queued", "9812345678"))
        composer = self.open_composer(partner, user=self.sms_user)
        composer.body = "Namaste"
        composer.save().action_send()
        row = self.messages_of(partner)
        self.assertEqual(row.state, "queued")
        with self.assertRaises(TitledUserError) as caught:
            row.with_user(self.sms_user).action_resend()
        self.assertEqual(caught.exception.title, "Nothing to Resend")
        self.assertEqual(
            caught.exception.context,
            {"exception_class": DIALOG, "title": "Nothing to Resend"},
            "Odoo's error handler opens the titled dialog from the context",
        )
        self.provider.auth_token = "not-a-token"
        with self.assertRaises(TitledUserError) as caught:
            self.provider.action_test_connection()
        self.assertEqual(caught.exception.title, "Auth Token Refused")

    def test_the_send_wizard_titles_its_refusals(self):
        """Not Odoo's "Invalid Operation": the sender reads what went wrong."""
        landline = self.contacts(("Landline", "014412345"))
        composer = self.open_composer(landline, user=self.sms_user)
        composer.body = "Namaste"
        with self.assertRaises(TitledUserError) as caught:
            composer.save().action_send()
        self.assertEqual(caught.exception.title, "No Recipient to Text")
        partner = self.contacts(("Sita", "9812345678"))
        composer = self.open_composer(partner, user=self.sms_user)
        composer.body = "x" * 2000
        with self.assertRaises(TitledUserError) as caught:
            composer.save().action_send()
        self.assertEqual(caught.exception.title, "Text Cannot Be Sent")
