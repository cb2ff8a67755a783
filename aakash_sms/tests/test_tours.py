from odoo.tests import tagged

from .common import AakashSmsHttpCase


@tagged("post_install", "-at_install")
class TestTours(AakashSmsHttpCase):
    """A person's path through the browser (headless Chromium)."""

    def test_partner_tour(self):
        partner = self.env["res.partner"].create({"name": "Tour Customer", "phone": "9812345678"})
        self.start_tour("/odoo/res.partner/%d" % partner.id, "aakash_sms_partner_tour", login="admin")
        self.assertEqual([(r.form["to"], r.form["text"]) for r in self.gateway.requests if "send" in r.path],
                         [("9812345678", "Namaste from the partner tour")])
        self.assertEqual(self.messages_of(partner).state, "queued")

    def test_invoice_tour(self):
        partner = self.env["res.partner"].create({"name": "Invoice Customer", "phone": "9841112222"})
        product = self.env["product.product"].create({"name": "Topi", "list_price": 500})
        invoice = self.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": partner.id,
            "invoice_line_ids": [(0, 0, {"product_id": product.id, "quantity": 1, "price_unit": 500})],
        })
        invoice.action_post()
        self.start_tour("/odoo/account.move/%d" % invoice.id, "aakash_sms_invoice_tour", login="admin")
        self.assertEqual(self.gateway.sent_numbers(), ["9841112222"])
        self.assertEqual(self.messages_of(invoice).state, "queued")
