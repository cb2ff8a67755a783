from odoo.tests import TransactionCase, tagged

from .common import load_nepali


@tagged("post_install", "-at_install")
class TestNepali(TransactionCase):
    def test_nepali_can_be_activated_and_translates_the_module(self):
        lang = self.env.ref("aakash_sms.lang_ne_NP").with_context(active_test=False)
        self.assertFalse(lang.active, "shipped inactive, activated by the admin")
        load_nepali(self.env)
        Message = self.env["aakash.sms.message"].with_context(lang="ne_NP")
        states = dict(Message.fields_get(["state"])["state"]["selection"])
        self.assertEqual(states["queued"], "गेटवेमा लाममा")
        self.assertEqual(states["uncertain"], "अनिश्चित")

    def test_number_refusals_are_translated(self):
        load_nepali(self.env)
        partner = self.env["res.partner"].create(
            {"name": "Short", "phone": "981234567"}
        )
        composer = (
            self.env["aakash.sms.composer"]
            .with_context(
                lang="ne_NP", active_model="res.partner", active_ids=partner.ids
            )
            .create({"body": "x"})
        )
        self.assertEqual(composer.line_ids.reason, "नेपाली मोबाइल नम्बरमा १० अङ्क हुन्छन्")
        english = (
            self.env["aakash.sms.composer"]
            .with_context(
                lang="en_US", active_model="res.partner", active_ids=partner.ids
            )
            .create({"body": "x"})
        )
        self.assertEqual(
            english.line_ids.reason, "a Nepali mobile number has 10 digits"
        )

    def test_refusals_decided_before_sending_are_in_the_readers_language(self):
        load_nepali(self.env)
        Message = self.env["aakash.sms.message"]
        nepali = Message.with_context(lang="ne_NP")
        self.assertEqual(
            nepali._aakash_refusal_reason("opted_out"),
            "SMS नचाहने (नम्बर SMS कालोसूचीमा छ)",
        )
        self.assertEqual(
            nepali._aakash_refusal_reason("provider_archived", "Ncell"),
            "यो SMS जानुअघि Aakash SMS प्रदायक Ncell संग्रहित गरियो: केही पठाइएन।",
        )
        self.assertEqual(
            Message.with_context(lang="en_US")._aakash_refusal_reason("opted_out"),
            "opted out (the number is on the SMS blacklist)",
        )
