"""Confirming a customer invoice queues its SMS; automation rules on invoices."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import AakashSmsInvoicingCase


@tagged("post_install", "-at_install")
class TestInvoiceConfirmation(AakashSmsInvoicingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.aakash_sms_invoice_confirm = True

    def confirm(self, move_type="out_invoice", partner=None):
        invoice = self.init_invoice(
            move_type, partner=partner or self.partner_a, amounts=[1500]
        )
        invoice.action_post()
        return invoice

    def test_confirming_queues_one_sms_then_cron_sends(self):
        invoice = self.confirm()
        self.assertEqual(invoice.state, "posted")
        self.assertFalse(
            self.gateway.requests, "nothing is sent inside the posting transaction"
        )
        message = self.messages_of(invoice)
        self.assertEqual(message.state, "pending")
        self.assertIn(invoice.name, message.body)
        self.assertIn(self.env.company.name, message.body)
        self.run_cron("aakash.sms.message", "_cron_send")
        self.assertEqual(message.state, "queued")
        self.assertEqual(self.gateway.sent_numbers(), ["9801234567"])
        self.assertIn("9801234567", message.mail_message_id.body)

        invoice.button_draft()
        invoice.action_post()
        self.assertEqual(
            len(self.messages_of(invoice)), 1, "re-confirmation does not text again"
        )

    def test_nepali_template(self):
        self.env.company.aakash_sms_invoice_template_id = self.env.ref(
            "aakash_sms_account.sms_template_invoice_confirmed_ne"
        )
        invoice = self.confirm()
        self.assertIn("धन्यवाद", self.messages_of(invoice).body)

    def test_setting_off_vendor_bill_credit_note(self):
        bill = self.confirm("in_invoice")
        refund = self.confirm("out_refund")
        self.env.company.aakash_sms_invoice_confirm = False
        invoice = self.confirm()
        self.assertFalse(self.messages_of(bill | refund | invoice))

    def test_gateway_down_invoice_still_posted(self):
        self.provider.sudo().base_url = "http://127.0.0.1:9/sms"
        invoice = self.confirm()
        self.assertEqual(invoice.state, "posted")
        self.run_cron("aakash.sms.message", "_cron_send")
        message = self.messages_of(invoice)
        self.assertEqual(message.state, "pending", "queued again for a later attempt")
        self.assertEqual(message.attempt_count, 1)
        self.assertIn("cannot be reached", message.reason)

    def test_broken_template_never_blocks_posting(self):
        self.env.company.aakash_sms_invoice_template_id = self.env[
            "sms.template"
        ].create(
            {
                "name": "Broken",
                "model_id": self.env["ir.model"]._get_id("account.move"),
                "body": "{{ object.no_such_field }}",
            }
        )
        invoice = self.confirm()
        self.assertEqual(invoice.state, "posted")
        message = self.messages_of(invoice)
        self.assertEqual((message.state, message.error_kind), ("rejected", "text"))
        self.assertIn("could not be rendered", message.reason)
        self.assertIn(
            "could not be rendered",
            message.mail_message_id.body,
            "visible on the invoice",
        )
        self.run_queue()
        self.assertFalse(self.gateway.requests)

    def test_customer_names_with_placeholders_are_texted_as_typed(self):
        probe = "{{ object.env['res.partner'].sudo().create({'name': 'pwned'}) }}"
        for name in ("{{ 6 * 7 }}", probe):
            with self.subTest(name=name):
                self.gateway.clear()
                self.partner_a.name = name
                invoice = self.confirm()
                self.run_queue()
                self.assertFalse(
                    self.env["res.partner"].search([("name", "=", "pwned")])
                )
                [request] = self.gateway.requests
                self.assertTrue(
                    request.form["text"].startswith(f"Dear {name}, invoice "),
                    request.form["text"],
                )
                self.assertEqual(self.messages_of(invoice).body, request.form["text"])

    def test_customer_without_number(self):
        invoice = self.confirm(partner=self.partner_b)
        self.assertEqual(invoice.state, "posted")
        message = self.messages_of(invoice)
        self.assertEqual(message.state, "rejected")
        self.assertIn("no number", message.mail_message_id.body)

    def test_payment_reminder_time_based_rule(self):
        self.require_base_automation()
        invoice = self.confirm()
        self.run_cron("aakash.sms.message", "_cron_send")
        self.gateway.clear()
        invoice.invoice_date_due = fields.Date.today() - timedelta(days=2)
        automation = self.env["base.automation"].create(
            {
                "name": "Overdue reminder",
                "model_id": self.env["ir.model"]._get_id("account.move"),
                "trigger": "on_time",
                "trg_date_id": self.env["ir.model.fields"]
                ._get("account.move", "invoice_date_due")
                .id,
                "trg_date_range": 1,
                "trg_date_range_mode": "after",
                "trg_date_range_type": "day",
                "filter_domain": "[('move_type', '=', 'out_invoice'), "
                "('payment_state', '!=', 'paid')]",
                "last_run": fields.Datetime.now() - timedelta(days=10),
            }
        )
        self.env["ir.actions.server"].create(
            {
                "name": "Reminder",
                "model_id": self.env["ir.model"]._get_id("account.move"),
                "state": "aakash_sms",
                "base_automation_id": automation.id,
                "aakash_sms_body": "Reminder: {{ object.name }} is overdue",
            }
        )
        self.run_cron("base.automation", "_cron_process_time_based_actions")
        self.run_queue()
        self.assertEqual(
            [(r.form["to"], r.form["text"]) for r in self.gateway.requests],
            [("9801234567", f"Reminder: {invoice.name} is overdue")],
        )
