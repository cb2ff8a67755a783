"""What a shop owner sees on invoices: the template's length, SMS button, settings."""

from odoo.tests import Form, tagged

from odoo.addons.aakash_sms.tools.text import gsm_safe, measure

from .common import AakashSmsInvoicingCase


@tagged("post_install", "-at_install")
class TestInvoiceTemplatesFitOneSms(AakashSmsInvoicingCase):
    """The shipped English template fits one GSM-7 SMS for a typical invoice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.npr = cls.env.ref("base.NPR")
        cls.npr.active = True
        cls.env.company.name = "Kathmandu Traders Pvt Ltd"  # 25 characters
        cls.customer = cls.env["res.partner"].create(
            {"name": "Ram Bahadur Shrestha", "phone": "9801234567"}
        )
        assert len(cls.customer.name) == 20

    def render(self, invoice):
        template = self.env.ref("aakash_sms_account.sms_template_invoice_confirmed")
        return template._render_field("body", invoice.ids, compute_lang=True)[
            invoice.id
        ]

    def assert_one_gsm_part(self, currency, symbol):
        # 10 characters of amount: 123,456.78
        invoice = self.init_invoice(
            "out_invoice",
            partner=self.customer,
            amounts=[123456.78],
            currency=currency,
            post=True,
        )
        text = self.render(invoice)
        self.assertIn("123,456.78", text)
        self.assertIn(symbol, text)
        info = measure(gsm_safe(text))
        self.assertEqual(
            (info.encoding, info.segments),
            ("gsm7", 1),
            f"{gsm_safe(text)!r}: {info}",
        )

    def test_english_template_npr(self):
        self.assert_one_gsm_part(self.npr, "\u20a8")

    def test_english_template_usd(self):
        self.assert_one_gsm_part(self.env.ref("base.USD"), "$")


@tagged("post_install", "-at_install")
class TestInvoiceSmartButton(AakashSmsInvoicingCase):
    def test_confirmation_line_signed_by_who_confirmed(self):
        self.env.company.aakash_sms_invoice_confirm = True
        invoice = self.init_invoice(
            "out_invoice", partner=self.partner_a, amounts=[100]
        )
        invoice.action_post()
        line = invoice.message_ids.filtered(
            lambda m: "SMS to 9801234567 queued" in (m.body or "")
        )
        self.assertEqual(line.author_id, self.env.user.partner_id)
        self.assertEqual(invoice.aakash_sms_count, 1)

    def test_invoice_count_and_log(self):
        invoice = self.init_invoice(
            "out_invoice", partner=self.partner_a, amounts=[100], post=True
        )
        composer = Form(
            self.env["aakash.sms.composer"].with_context(
                active_model="account.move",
                active_ids=invoice.ids,
                active_id=invoice.id,
            )
        )
        composer.body = "Please pay"
        composer.save().action_send()
        self.assertEqual(invoice.aakash_sms_count, 1)
        action = invoice.action_aakash_sms_view_messages()
        self.assertEqual(
            self.env["aakash.sms.message"].search(action["domain"]),
            self.messages_of(invoice),
        )

    def test_settings_views_place_the_invoice_option_in_invoicing(self):
        arch = self.env["res.config.settings"].get_view(view_type="form")["arch"]
        invoicing = arch[arch.index('id="invoicing_settings"') :]
        self.assertIn(
            "aakash_sms_invoice_confirm", invoicing[: invoicing.index("</block>")]
        )
