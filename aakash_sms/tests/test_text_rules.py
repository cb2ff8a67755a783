from odoo.exceptions import UserError
from odoo.tests import tagged

from ..tools import errors
from ..tools.client import AakashClient
from ..tools.text import text_problem
from .common import AakashSmsCase, load_nepali

TOO_LONG = "x" * 1600  # 11 SMS parts, one more than Aakash allows


@tagged("post_install", "-at_install")
class TestTextRules(AakashSmsCase):
    """One rule (tools/text.py) and one wording for a text that cannot be sent,
    whichever way an SMS user sends it."""

    def sentence(self, text):
        problem = text_problem(text)
        return self.env["base"]._aakash_sms_text_refusal(problem, sentence=True)

    def test_the_client_says_what_odoo_says(self):
        for text in ("", "a\x00b", "a\x1bb\x7f", TOO_LONG):
            with self.subTest(text=text[:5]):
                with self.assertRaises(errors.ValidationError) as caught:
                    AakashClient("token").check_text(text)
                self.assertEqual(caught.exception.message, self.sentence(text))

    def test_an_sms_user_is_refused_a_too_long_text_in_the_same_words(self):
        ram = self.contacts(("Ram", "9812345678"))
        composer = self.open_composer(ram, user=self.sms_user)
        composer.body = TOO_LONG
        sentence = self.sentence(TOO_LONG)
        self.assertEqual(
            sentence, "The text is too long: 11 SMS parts, at most 10 are allowed."
        )
        self.assertEqual(composer.send_blocker, sentence)
        with self.assertRaises(UserError) as caught:
            composer.save().action_send()
        self.assertEqual(str(caught.exception), sentence)
        self.assertFalse(self.gateway.requests)

    def test_an_empty_text_is_refused_in_the_same_words_and_says_what_to_do(self):
        ram = self.contacts(("Ram", "9812345678"))
        composer = self.open_composer(ram, user=self.sms_user)
        composer.body = "\u200b"
        blocker = f"{self.sentence('')} Type a text or choose a template."
        self.assertEqual(composer.send_blocker, blocker)
        with self.assertRaises(UserError) as caught:
            composer.save().action_send()
        self.assertEqual(str(caught.exception), blocker)

    def test_a_control_character_is_refused_in_the_same_words(self):
        action = self.env["ir.actions.server"].create(
            {
                "name": "Text the contact",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "state": "aakash_sms",
            }
        )
        with self.assertRaises(UserError) as caught:
            action.aakash_sms_body = "Namaste\x00"
        self.assertEqual(str(caught.exception), self.sentence("Namaste\x00"))

    def test_the_log_records_the_reason_in_the_same_words(self):
        self.provider.gsm_safe = False  # keeps the text as it is, controls included
        ram, sita = self.contacts(("Ram", "9812345678"), ("Sita", "9841112222"))
        Message = self.env["aakash.sms.message"].with_user(self.sms_user)
        rows = Message._aakash_create_rows(
            ram | sita, {ram.id: "Hi\x07 Ram", sita.id: TOO_LONG}
        )
        reasons = [
            self.env["base"]._aakash_sms_text_refusal(text_problem(text))
            for text in ("Hi\x07 Ram", TOO_LONG)
        ]
        self.assertEqual(
            reasons,
            [
                "the text contains a control character (U+0007) that cannot be "
                "sent: remove it",
                "the text is too long: 11 SMS parts, at most 10 are allowed",
            ],
        )
        self.assertEqual(rows.mapped("reason"), reasons)
        self.assertEqual(set(rows.mapped("error_kind")), {"text"})

    def test_the_reasons_are_translated(self):
        load_nepali(self.env)
        Base = self.env["base"]
        for text in ("", "a\x00b", "a\x1bb\x7f", TOO_LONG):
            with self.subTest(text=text[:5]):
                problem = text_problem(text)
                english = Base._aakash_sms_text_refusal(problem)
                nepali = Base.with_context(lang="ne_NP")._aakash_sms_text_refusal(
                    problem
                )
                self.assertTrue(nepali)
                self.assertNotEqual(nepali, english)
