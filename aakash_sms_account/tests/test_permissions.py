"""Who can do what with invoices (issue #12), tested as real users.

An accountant without an Aakash group confirms invoices (their SMS is queued) but
never uses a provider nor reads its token; an opted-out customer is never texted.
"""

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import AakashSmsInvoicingCase


@tagged("post_install", "-at_install")
class TestInvoiceFrontDoor(AakashSmsInvoicingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(
            cls.env,
            login="biz_accountant",
            groups="account.group_account_invoice",
            company_id=cls.env.company.id,
        )
        cls.env.company.aakash_sms_invoice_confirm = True

    def test_accountant_without_sms_group_confirms_invoice(self):
        """The invoice is posted and its confirmation SMS queued."""
        invoice = self.init_invoice(
            "out_invoice", partner=self.partner_a, amounts=[1500]
        )
        with self.assertNoLogs("odoo.addons.aakash_sms", "ERROR"):
            invoice.with_user(self.accountant).action_post()
        self.assertEqual(invoice.state, "posted")
        rows = self.messages_of(invoice)
        self.assertEqual(len(rows), 1)
        self.assertIn(rows.state, ("pending", "queued"))
        self.assertEqual((rows.number, rows.provider_id), ("9801234567", self.provider))

    def test_accountant_never_uses_the_provider(self):
        provider = self.provider.with_user(self.accountant)
        for method in ("action_test_connection", "action_refresh_balance"):
            with self.subTest(method=method):
                self.env.invalidate_all()
                with self.assertRaises(AccessError):
                    getattr(provider, method)()
        self.env.invalidate_all()
        with self.assertRaises(AccessError):
            provider.read(["auth_token"])
        self.assertEqual(self.gateway.requests, [])
        # the engine may still use the company's default provider for their invoices
        default = (
            self.env["aakash.sms.provider"]
            .with_user(self.accountant)
            ._get_default_sudo()
        )
        self.assertEqual(default, self.provider)
        self.assertTrue(default.env.su, "a sudo recordset, for the engine only")

    def test_opted_out_customer_not_texted_on_confirmation(self):
        self.env["phone.blacklist"].sudo().add("+9779801234567")  # partner_a's mobile
        invoice = self.init_invoice(
            "out_invoice", partner=self.partner_a, amounts=[1500]
        )
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        self.run_queue()
        row = self.messages_of(invoice)
        self.assertEqual(row.state, "rejected")
        self.assertIn("opted out", (row.reason or "").lower())
        self.assertEqual(self.gateway.requests, [])
