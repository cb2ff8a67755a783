"""Two companies, two providers: each sends with and sees its own."""

from odoo.tests import Form, tagged

from .common import AakashSmsCase


@tagged("post_install", "-at_install")
class TestMultiCompany(AakashSmsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Pokhara Traders"})
        cls.gateway.credits["token-b"] = 50
        cls.provider_b = cls.env["aakash.sms.provider"].create(
            {
                "name": "Pokhara account",
                "auth_token": "token-b",
                "base_url": cls.gateway.base_url,
                "company_id": cls.company_b.id,
                "is_default": True,
            }
        )
        cls.user_b = cls.env["res.users"].create(
            {
                "name": "User B",
                "login": "user_b",
                "company_id": cls.company_b.id,
                "company_ids": [(6, 0, cls.company_b.ids)],
                "group_ids": [
                    (
                        6,
                        0,
                        [
                            cls.env.ref("base.group_user").id,
                            cls.env.ref("aakash_sms.group_aakash_sms_user").id,
                        ],
                    )
                ],
            }
        )
        cls.partner = cls.env["res.partner"].create(
            {"name": "Shared", "phone": "9851234567"}
        )

    def setUp(self):
        super().setUp()
        self.gateway.credits["token-b"] = 50

    def test_each_company_uses_and_sees_its_own(self):
        for user, provider in (
            (self.sms_user, self.provider),
            (self.user_b, self.provider_b),
        ):
            composer = Form(
                self.env["aakash.sms.composer"]
                .with_user(user)
                .with_context(active_model="res.partner", active_ids=self.partner.ids)
            )
            composer.body = f"hi from {provider.name}"
            composer.save().action_send()
        tokens = [r.form["auth_token"] for r in self.gateway.requests]
        self.assertEqual(tokens, [self.provider.sudo().auth_token, "token-b"])
        messages = self.messages_of(self.partner)
        self.assertEqual(
            messages.mapped("provider_id"), self.provider | self.provider_b
        )

        as_b = self.env["aakash.sms.message"].with_user(self.user_b).search([])
        self.assertEqual(as_b.provider_id, self.provider_b)
        self.assertEqual(as_b.company_id, self.company_b)
        self.assertEqual(
            self.env["aakash.sms.provider"].with_user(self.user_b).search([]),
            self.provider_b,
        )
        as_a = (
            self.env["aakash.sms.message"]
            .with_user(self.sms_user)
            .search([("res_id", "=", self.partner.id)])
        )
        self.assertEqual(as_a.company_id, self.env.company)
