from odoo.tests import tagged

from .common import AakashSmsHttpCase


@tagged("post_install", "-at_install")
class TestTours(AakashSmsHttpCase):
    """A person's path through the browser (headless Chromium)."""

    def test_partner_tour(self):
        partner = self.env["res.partner"].create(
            {"name": "Tour Customer", "phone": "9812345678"}
        )
        self.start_tour(
            f"/odoo/res.partner/{partner.id}",
            "aakash_sms_partner_tour",
            login="admin",
        )
        self.assertEqual(
            [
                (r.form["to"], r.form["text"])
                for r in self.gateway.requests
                if "send" in r.path
            ],
            [("9812345678", "Namaste from the partner tour")],
        )
        self.assertEqual(self.messages_of(partner).state, "queued")

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

    def test_bulk_template_tour(self):
        """Three customers, a template: the preview, one counter, Send withheld, the
        log of the send."""
        partners = self.env["res.partner"].create(
            [
                {"name": f"Tour Bulk {letter}", "phone": phone}
                for letter, phone in (
                    ("A", "9812345678"),
                    ("B", "9841112222"),
                    ("C", "9851112222"),
                )
            ]
        )
        self.env["sms.template"].create(
            {
                "name": "Tour greeting",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "body": "Namaste {{ object.name }}, your order is ready.",
            }
        )
        action = self.env["ir.actions.act_window"].create(
            {
                "name": "Tour customers",
                "res_model": "res.partner",
                "view_mode": "list,form",
                "domain": [("id", "in", partners.ids)],
            }
        )
        self.start_tour(
            f"/odoo/action-{action.id}",
            "aakash_sms_bulk_template_tour",
            login="admin",
        )
        messages = self.messages_of(partners)
        self.assertEqual(
            set(messages.mapped("state")),
            {"pending"},
            "different texts: queued for the cron",
        )
        self.assertEqual(
            sorted(messages.mapped("body")),
            [
                "Dear Tour Bulk A, thank you.",
                "Dear Tour Bulk B, thank you.",
                "Dear Tour Bulk C, thank you.",
            ],
        )
        self.assertFalse(self.gateway.requests)

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
