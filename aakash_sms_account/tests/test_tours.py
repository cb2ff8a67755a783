from odoo.tests import tagged

from odoo.addons.aakash_sms.tests.common import AakashSmsHttpCase


@tagged("post_install", "-at_install")
class TestInvoiceTours(AakashSmsHttpCase):
    """An accountant's path through the browser (headless Chromium)."""

    def _invoice(self, post=True):
        partner = self.env["res.partner"].create(
            {"name": "Invoice Customer", "phone": "9841112222"}
        )
        product = self.env["product.product"].create(
            {"name": "Topi", "list_price": 500}
        )
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_line_ids": [
                    (0, 0, {"product_id": product.id, "quantity": 1, "price_unit": 500})
                ],
            }
        )
        if post:
            invoice.action_post()
        return invoice

    def test_invoice_tour(self):
        invoice = self._invoice()
        self.start_tour(
            f"/odoo/account.move/{invoice.id}",
            "aakash_sms_invoice_tour",
            login="admin",
        )
        self.assertEqual(self.gateway.sent_numbers(), ["9841112222"])
        self.assertEqual(self.messages_of(invoice).state, "queued")

    def test_invoice_confirmation_tour(self):
        self.env.company.aakash_sms_invoice_confirm = True
        invoice = self._invoice(post=False)
        self.start_tour(
            f"/odoo/account.move/{invoice.id}",
            "aakash_sms_invoice_confirm_tour",
            login="admin",
        )
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(self.messages_of(invoice).state, "pending")
