"""The "payment received" SMS (issue #22): once partly paid, once paid, any path."""

from odoo import Command
from odoo.tests import tagged

from .test_reminders import ReminderCase


@tagged("post_install", "-at_install")
class TestPaymentReceived(ReminderCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.aakash_sms_payment_receipt = True

    def end_transaction(self):
        """What the end of the payment's transaction runs (precommit hooks)."""
        self.env.cr.flush()

    def test_off_by_default(self):
        company = self.env["res.company"].create({"name": "Birgunj Branch"})
        self.assertFalse(company.aakash_sms_payment_receipt)

    def test_setting_off_no_sms(self):
        self.env.company.aakash_sms_payment_receipt = False
        invoice = self.invoice(self.ram, 0, amount=1000)
        self.pay(invoice)
        self.end_transaction()
        self.assertFalse(self.messages_of(invoice))

    def test_free_invoice_is_not_a_payment(self):
        invoice = self.invoice(self.ram, 0, amount=0)
        self.assertEqual(invoice.payment_state, "paid")
        self.end_transaction()
        self.assertFalse(self.messages_of(invoice))

    def test_paid_with_the_wizard_texted_once(self):
        invoice = self.invoice(self.ram, 0, amount=1000)
        self.pay(invoice)
        self.end_transaction()
        row = self.messages_of(invoice)
        self.assertEqual((len(row), row.state), (1, "pending"))
        self.assertIn(f"payment received for {invoice.name}, thank you.", row.body)
        self.assertNotIn("Still due", row.body)
        self.assertTrue(
            invoice.message_ids.filtered(
                lambda m: "Payment received: SMS to 9801234567 queued" in (m.body or "")
            )
        )
        # the payment reconciled again later: not texted again
        invoice.line_ids.remove_move_reconcile()
        self.pay(invoice)
        self.end_transaction()
        self.assertEqual(len(self.messages_of(invoice)), 1)

    def test_partial_payment_says_what_remains_then_paid(self):
        invoice = self.invoice(self.sita, 0, amount=1000, currency=self.usd)
        self.pay(invoice, amount=400)
        self.end_transaction()
        partial = self.messages_of(invoice)
        self.assertIn("Still due: $", partial.body)
        self.assertIn("600.00", partial.body)
        self.pay(invoice, amount=600)
        self.end_transaction()
        rows = self.messages_of(invoice)
        self.assertEqual(len(rows), 2)
        self.assertNotIn("Still due", rows[1].body)

    def test_reconciled_outside_the_wizard(self):
        """A payment matched from a bank entry (not the register-payment wizard)."""
        invoice = self.invoice(self.ram, 0, amount=500, currency=self.usd)
        receivable = invoice.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        entry = self.env["account.move"].create(
            {
                "move_type": "entry",
                "line_ids": [
                    Command.create(
                        {
                            "account_id": receivable.account_id.id,
                            "partner_id": self.ram.id,
                            "credit": 500,
                        }
                    ),
                    Command.create(
                        {
                            "account_id": self.company_data[
                                "default_journal_bank"
                            ].default_account_id.id,
                            "debit": 500,
                        }
                    ),
                ],
            }
        )
        entry.action_post()
        (receivable + entry.line_ids.filtered("credit")).reconcile()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.end_transaction()
        self.assertEqual(len(self.messages_of(invoice)), 1)
        self.assertFalse(self.messages_of(entry), "only the invoice is texted")

    def test_accountant_registers_the_payment(self):
        invoice = self.invoice(self.ram, 0, amount=1000, user=self.accountant)
        register = (
            self.env["account.payment.register"]
            .with_user(self.accountant)
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({})
        )
        register._create_payments()
        self.end_transaction()
        self.assertEqual(self.messages_of(invoice).state, "pending")

    def test_broken_template_never_blocks_the_payment(self):
        self.env.company.aakash_sms_payment_template_id = self.env[
            "sms.template"
        ].create(
            {
                "name": "Broken",
                "model_id": self.env["ir.model"]._get_id("account.move"),
                "body": "{{ object.no_such_field }}",
            }
        )
        invoice = self.invoice(self.ram, 0, amount=1000)
        self.pay(invoice)
        self.end_transaction()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        row = self.messages_of(invoice)
        self.assertEqual((row.state, row.error_kind), ("rejected", "text"))
