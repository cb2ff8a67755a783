"""The Nepali invoice template writes the due date in Bikram Sambat and the amount in
Devanagari digits with Nepali grouping (aakash_sms's template helpers)."""

from odoo import fields
from odoo.tests import tagged

from .common import AakashSmsInvoicingCase


@tagged("post_install", "-at_install")
class TestNepaliInvoiceText(AakashSmsInvoicingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.aakash_sms_invoice_confirm = True
        cls.env.company.aakash_sms_invoice_template_id = cls.env.ref(
            "aakash_sms_account.sms_template_invoice_confirmed_ne"
        )
        cls.npr = cls.setup_other_currency("NPR", rates=[("2019-01-01", 1.0)])

    def confirm(self, currency, amount):
        invoice = self.init_invoice(
            "out_invoice",
            invoice_date=fields.Date.from_string("2025-12-03"),
            amounts=[amount],
            currency=currency,
        )
        invoice.invoice_date_due = fields.Date.from_string("2025-12-03")
        invoice.action_post()
        return self.messages_of(invoice).body

    def test_a_rupee_invoice_is_texted_in_nepali_digits_and_bikram_sambat(self):
        body = self.confirm(self.npr, 123456.5)
        self.assertIn(": रु. १,२३,४५६.५० १७ मंसिर २०८२ भित्र तिर्नुहोला", body)
        self.assertNotIn("/sms/stop/", body, "a transactional text: no opt-out link")

    def test_another_currency_keeps_its_symbol_in_nepali_digits(self):
        body = self.confirm(self.env.company.currency_id, 1500)
        self.assertIn("१,५००.००", body)
        self.assertIn("१७ मंसिर २०८२ भित्र", body)
