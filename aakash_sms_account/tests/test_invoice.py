from odoo.tests import Form, tagged

from .common import AakashSmsInvoicingCase


@tagged("post_install", "-at_install")
class TestInvoiceSms(AakashSmsInvoicingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls.init_invoice(
            "out_invoice", partner=cls.partner_a, amounts=[1500], post=True
        )
        cls.invoice_nophone = cls.init_invoice(
            "out_invoice", partner=cls.partner_b, amounts=[200], post=True
        )

    def test_invoice_send_uses_customer_number_and_template(self):
        template = self.env["sms.template"].create(
            {
                "name": "Invoice",
                "model_id": self.env["ir.model"]._get_id("account.move"),
                "body": "{{ object.name }}: {{ object.amount_residual }} due",
            }
        )
        composer = Form(
            self.env["aakash.sms.composer"].with_context(
                active_model="account.move",
                active_ids=self.invoice.ids,
                active_id=self.invoice.id,
            )
        )
        self.assertEqual(composer.valid_count, 1)
        composer.template_id = template
        self.assertEqual(composer.body, f"{self.invoice.name}: 1500.0 due")
        composer.save().action_send()
        self.assertEqual(self.gateway.sent_numbers(), ["9801234567"])
        message = self.messages_of(self.invoice)
        self.assertRecordValues(
            message,
            [
                {
                    "state": "queued",
                    "partner_id": self.partner_a.id,
                    "network": "Ncell",
                    "company_id": self.invoice.company_id.id,
                }
            ],
        )
        self.assertEqual(message.mail_message_id.model, "account.move")
        self.assertIn("9801234567", message.mail_message_id.body)

    def test_invoices_in_bulk_one_note_each(self):
        invoices = self.invoice | self.invoice_nophone
        composer = Form(
            self.env["aakash.sms.composer"].with_context(
                active_model="account.move", active_ids=invoices.ids
            )
        )
        self.assertEqual((composer.valid_count, composer.invalid_count), (1, 1))
        composer.body = "Please pay your invoice"
        composer.save().action_send()
        messages = self.messages_of(invoices)
        self.assertEqual(sorted(messages.mapped("state")), ["queued", "rejected"])
        for invoice in invoices:
            notes = invoice.message_ids.filtered(
                lambda m: "SMS via Aakash" in (m.body or "")
            )
            self.assertEqual(len(notes), 1)
        self.assertIn(
            "no number", self.messages_of(self.invoice_nophone).mail_message_id.body
        )
