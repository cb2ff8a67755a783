from odoo.tests import tagged

from .common import AakashSmsHttpCase, role_user, sandbox_provider


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
            self.sent_texts(),
            [("9812345678", "Namaste from the partner tour")],
        )
        self.assertEqual(self.messages_of(partner).state, "queued")

    def test_first_hour_tour(self):
        """A plain SMS user of a Nepali shop whose first provider was just set up:
        the phone field's SMS button and the one "Send SMS" text through Aakash."""
        shop = self.env["res.company"].create(
            {
                "name": "Thamel Tea House",
                "country_id": self.env.ref("base.np").id,
                "currency_id": self.env.ref("base.NPR").id,
            }
        )
        user = role_user(
            self.env,
            "employee",
            "thamel_sms",
            password="thamel_sms",
            name="Thamel SMS User",
            company_id=shop.id,
            company_ids=[(6, 0, shop.ids)],
            tz="Asia/Kathmandu",
        )
        user.group_ids += self.env.ref("aakash_sms.group_aakash_sms_user")
        sandbox_provider(self.env, self.gateway, "Thamel Aakash", company_id=shop.id)
        customer = self.env["res.partner"].create(
            {"name": "Sita Gurung", "phone": "9812345678", "company_id": shop.id}
        )
        self.start_tour(
            f"/odoo/res.partner/{customer.id}",
            "aakash_sms_first_hour_tour",
            login="thamel_sms",
        )
        self.assertEqual(
            self.sent_texts(),
            [("9812345678", "Namaste Sita, your tea is ready")],
        )

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
