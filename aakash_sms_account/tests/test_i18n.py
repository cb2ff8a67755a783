from odoo.tests import tagged

from .common import AakashSmsInvoicingCase


@tagged("post_install", "-at_install")
class TestNepali(AakashSmsInvoicingCase):
    def setUp(self):
        super().setUp()
        self.env["res.lang"]._activate_lang("ne_NP")
        self.env["ir.module.module"].search(
            [("name", "=", "aakash_sms_account")]
        )._update_translations(["ne_NP"])

    def test_template_and_settings_in_nepali(self):
        template = self.env.ref(
            "aakash_sms_account.sms_template_invoice_confirmed"
        ).with_context(lang="ne_NP")
        self.assertIn("धन्यवाद", template.body)
        Company = self.env["res.company"].with_context(lang="ne_NP")
        label = Company.fields_get(["aakash_sms_invoice_confirm"])
        self.assertNotEqual(
            label["aakash_sms_invoice_confirm"]["string"],
            "Text Customers on Invoice Confirmation",
        )

    def test_draft_refusal_in_nepali(self):
        invoice = self.init_invoice(
            "out_invoice", partner=self.partner_a, amounts=[100]
        )
        refusals = invoice.with_context(lang="ne_NP")._aakash_sms_document_refusals()
        self.assertNotEqual(
            refusals[invoice.id], "the invoice is a draft: confirm it first"
        )
        english = invoice.with_context(lang="en_US")._aakash_sms_document_refusals()
        self.assertEqual(
            english[invoice.id], "the invoice is a draft: confirm it first"
        )
