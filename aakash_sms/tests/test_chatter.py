"""The chatter note of a send: a QWeb template, in the sender's language."""

from odoo.tests import Form, tagged

from .common import AakashSmsCase, load_nepali


@tagged("post_install", "-at_install")
class TestChatterNote(AakashSmsCase):
    def send_to(self, partner, lang, text="Namaste <b>Ram</b> & co"):
        composer = Form(
            self.env["aakash.sms.composer"].with_context(
                lang=lang, active_model="res.partner", active_ids=partner.ids
            )
        )
        composer.body = text
        composer.save().action_send()
        self.run_queue()
        return self.messages_of(partner)

    def test_one_line_per_recipient_with_a_link_to_the_log(self):
        ram = self.env["res.partner"].create({"name": "Ram", "phone": "9812345678"})
        message = self.send_to(ram, "en_US")
        body = message.mail_message_id.body
        self.assertIn("SMS via Aakash:", body)
        self.assertIn(f'href="/odoo/aakash.sms.message/{message.id}"', body)
        self.assertIn("9812345678</a> (Ram): Accepted by Aakash, Ncell", body)
        self.assertIn("Namaste &lt;b&gt;Ram&lt;/b&gt; &amp; co", body, "text escaped")

    def test_credits_are_whole_numbers(self):
        ram = self.env["res.partner"].create({"name": "Ram", "phone": "9812345678"})
        message = self.send_to(ram, "en_US", "Namaste " * 30)
        self.assertEqual(message.credits, 2)
        body = message.mail_message_id.body
        self.assertIn("2 credits", body)
        self.assertNotIn("2.0", body)

    def test_the_note_is_in_the_senders_language(self):
        load_nepali(self.env)
        ram = self.env["res.partner"].create({"name": "Ram", "phone": "9812345678"})
        body = self.send_to(ram, "ne_NP").mail_message_id.body
        self.assertIn("Aakash मार्फत SMS:", body)
