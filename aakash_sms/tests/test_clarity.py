"""What a shop owner sees before and after a send: lengths, costs, names, buttons."""

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import AakashSmsCase


@tagged("post_install", "-at_install")
class TestComposerClarity(AakashSmsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ram, cls.sita, cls.hari, cls.nophone = cls.contacts(
            ("Ram", "9812345678"),
            ("Sita Kumari Shrestha Rai " * 4, "9841112222"),
            ("Hari", "9851112222"),
            ("Gita No Phone", None),
        )
        cls.template = cls.env["sms.template"].create(
            {
                "name": "Greeting",
                "model_id": cls.env["ir.model"]._get_id("res.partner"),
                "body": "Dear {{ object.name }}, your order is ready \u2013 thank you! "
                + "x" * 60,
            }
        )

    def test_bulk_template_previews_first_recipient_and_sums_credits(self):
        composer = self.open_composer(self.ram | self.sita | self.hari | self.nophone)
        composer.template_id = self.template
        self.assertEqual(composer.body, self.template.body, "the source stays editable")
        self.assertTrue(composer.is_personalised)
        self.assertIn("As Ram will receive it", composer.preview_title)
        # rendered, and as it travels: the en dash became "-" (gsm_safe, on by default)
        self.assertTrue(
            composer.preview_body.startswith(
                "Dear Ram, your order is ready - thank you!"
            )
        )
        self.assertNotIn("{{", composer.preview_body)
        # Ram and Hari: 1 part each; Sita's long name: 2 parts; Gita: not texted
        self.assertEqual(composer.credit_estimate, 4)
        self.assertEqual(composer.segment_count, 2)
        self.assertEqual(composer.encoding, "gsm7")
        self.assertIn("1 to 2 SMS parts per recipient", composer.text_summary)
        self.assertIn("about 4 credits for 3 recipients", composer.text_summary)
        self.assertFalse(composer.unicode_note)
        self.assertFalse(composer.send_blocker)

    def test_gsm_safe_off_counts_the_raw_text(self):
        self.provider.gsm_safe = False
        composer = self.open_composer(self.ram | self.hari)
        composer.template_id = self.template
        self.assertEqual(composer.encoding, "unicode")
        self.assertIn("\u2013", composer.unicode_note)
        self.assertEqual(composer.credit_estimate, 4, "Unicode: 2 parts each")

    def test_unicode_characters_are_named(self):
        composer = self.open_composer(self.ram)
        composer.body = "Namaste \u0930\u093e\u092e, \u201cthanks\u201d \U0001f600"
        self.assertEqual(composer.encoding, "unicode")
        note = composer.unicode_note
        for char in ("\u0930", "\u093e", "\u092e", "\U0001f600"):
            self.assertIn(char, note)
        self.assertNotIn(
            "\u201c", note, "curly quotes have a look-alike: they do not force Unicode"
        )
        composer.body = "Namaste, \u201cthanks\u201d"
        self.assertFalse(composer.unicode_note)
        self.assertEqual(composer.encoding, "gsm7")

    def test_words_and_plurals(self):
        composer = self.open_composer(self.ram)
        composer.body = "hello"
        self.assertEqual(
            composer.text_summary,
            "GSM-7: 5 of 160 characters · 1 SMS part per recipient · about 1 credit "
            "for 1 recipient",
        )
        composer.body = "x" * 200
        self.assertEqual(
            composer.text_summary,
            "GSM-7: 200 characters (153 per part) · 2 SMS parts per recipient · "
            "about 2 credits for 1 recipient",
        )
        composer = self.open_composer(self.ram | self.nophone)
        self.assertEqual(
            composer.invalid_summary,
            "1 of 2 selected records will not be texted (the reasons are in the list "
            "below); they are recorded as rejected.",
        )
        composer = self.open_composer(self.nophone)
        self.assertEqual(
            composer.invalid_summary,
            "The selected record will not be texted (the reason is in the list below).",
        )
        self.assertEqual(composer.save().line_ids.status, "no number")
        self.assertEqual(
            self.open_composer(self.ram).save().line_ids.status, "will be texted"
        )

    def test_send_blocked_with_reason(self):
        composer = self.open_composer(self.ram | self.hari)
        self.assertIn("Type a text", composer.send_blocker)
        composer.body = "x" * 1600
        self.assertIn("too long: 11 SMS parts", composer.send_blocker)
        composer.body = "hello"
        self.assertFalse(composer.send_blocker)
        composer = self.open_composer(self.nophone)
        composer.body = "hello"
        self.assertIn("cannot be texted", composer.send_blocker)
        with self.assertRaisesRegex(UserError, "The selected record cannot be texted"):
            composer.save().action_send()

    def test_half_typed_placeholder_does_not_break_the_form(self):
        composer = self.open_composer(self.ram | self.hari)
        composer.body = "Dear {{ object.nmae }}, thank you"
        self.assertIn("The placeholders cannot be filled in", composer.send_blocker)
        composer.body = "Dear {{ object.name }}, thank you"
        self.assertFalse(composer.send_blocker)
        self.assertEqual(composer.preview_body, "Dear Ram, thank you")

    def test_too_long_for_one_recipient_refused_before_any_row(self):
        long_name = self.env["res.partner"].create(
            {"name": "N" * 1500, "phone": "9861112222"}
        )
        composer = self.open_composer(self.ram | long_name)
        composer.template_id = self.template
        self.assertIn("too long", composer.send_blocker)
        with self.assertRaisesRegex(UserError, "too long"):
            composer.save().action_send()
        self.assertFalse(self.messages_of(self.ram | long_name))

    def test_preview_of_1000_records_renders_in_one_batch(self):
        partners = self.env["res.partner"].create(
            [{"name": f"Customer {i}", "phone": f"98{i:08d}"} for i in range(1000)]
        )
        composer = self.open_composer(partners)
        composer.template_id = self.template
        record = composer.save()
        self.assertEqual(record.valid_count, 1000)
        record.invalidate_recordset(["credit_estimate", "preview_body", "text_summary"])
        # rendered in one batch: a handful of queries, not some per record (speed itself
        # is measured by benchmarks/bench_bulk.py, not asserted here)
        queries_before = self.env.cr.sql_log_count
        self.assertEqual(record.credit_estimate, 1000)
        self.assertLess(self.env.cr.sql_log_count - queries_before, 100)

    def test_send_named_in_words_and_notification_opens_it(self):
        self.env.user.tz = "Asia/Kathmandu"
        composer = self.open_composer(self.ram | self.hari | self.nophone)
        composer.body = "hello"
        action = composer.save().action_send()
        messages = self.messages_of(self.ram | self.hari | self.nophone)
        self.assertEqual(len(set(messages.mapped("send_ref"))), 1)
        name = messages[0].send_name
        self.assertRegex(
            name,
            rf"^3 recipients · \d{{1,2}} \w{{3}} \d\d:\d\d · {self.env.user.name}$",
        )
        groups = self.env["aakash.sms.message"].formatted_read_group(
            [("id", "in", messages.ids)], ["send_ref"], ["__count"]
        )
        self.assertEqual([(g["send_ref"], g["__count"]) for g in groups], [(name, 3)])
        self.assertEqual(
            self.env["aakash.sms.message"].search(groups[0]["__extra_domain"]), messages
        )
        self.assertEqual(action["tag"], "aakash_sms_notification")
        [button] = action["params"]["buttons"]
        self.assertEqual(button["name"], "Open in SMS Log")
        self.assertEqual(
            self.env["aakash.sms.message"].search(button["action"]["domain"]), messages
        )
        self.assertEqual(button["action"]["name"], name)

    def test_notes_signed_by_the_sender(self):
        composer = self.open_composer(self.ram, user=self.sms_user)
        composer.body = "hello"
        composer.save().action_send()
        self.assertEqual(
            self.messages_of(self.ram).mail_message_id.author_id,
            self.sms_user.partner_id,
        )

    def test_log_and_providers_in_the_contacts_app_without_debug_mode(self):
        manager = new_test_user(
            self.env,
            login="contacts_sms_manager",
            groups="base.group_user,aakash_sms.group_aakash_sms_manager",
        )
        employee = new_test_user(
            self.env, login="contacts_employee", groups="base.group_user"
        )
        log = self.env.ref("aakash_sms.menu_aakash_sms_contacts_log")
        providers = self.env.ref("aakash_sms.menu_aakash_sms_contacts_provider")
        self.assertEqual(
            log.parent_id.parent_id, self.env.ref("contacts.menu_contacts")
        )
        Menu = self.env["ir.ui.menu"]
        self.assertIn(log.id, Menu.with_user(self.sms_user)._visible_menu_ids())
        self.assertNotIn(
            providers.id, Menu.with_user(self.sms_user)._visible_menu_ids()
        )
        self.assertTrue(
            {log.id, providers.id} <= Menu.with_user(manager)._visible_menu_ids()
        )
        self.assertNotIn(log.id, Menu.with_user(employee)._visible_menu_ids())

    def test_log_of_any_document(self):
        """The smart buttons' log works for any model: its rows, by document."""
        company = self.env.company
        self.env["aakash.sms.message"].sudo().create(
            {
                "number": "9812345678",
                "number_raw": "9812345678",
                "body": "about the company",
                "provider_id": self.provider.id,
                "company_id": company.id,
                "res_model": "res.company",
                "res_id": company.id,
                "partner_id": self.ram.id,
            }
        )
        action = company._aakash_sms_open_log()
        self.assertEqual(action["name"], f"SMS about {company.display_name}")
        rows = self.env["aakash.sms.message"].search(action["domain"])
        self.assertEqual(rows, self.messages_of(company))
        self.assertEqual(len(rows), 1)

    def test_smart_button_counts(self):
        composer = self.open_composer(self.ram | self.hari)
        composer.body = "hello"
        composer.save().action_send()
        self.assertEqual(self.ram.with_user(self.sms_user).aakash_sms_count, 1)
        action = self.ram.action_aakash_sms_view_messages()
        self.assertEqual(
            self.env["aakash.sms.message"].search(action["domain"]),
            self.messages_of(self.ram),
        )
