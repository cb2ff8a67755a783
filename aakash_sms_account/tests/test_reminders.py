"""Payment reminders by SMS (issue #22): the daily cron, its rules, the button."""

from datetime import timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.aakash_sms.tools.text import gsm_safe, measure

from .common import AakashSmsInvoicingCase


class ReminderCase(AakashSmsInvoicingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.npr = cls.env.ref("base.NPR")
        cls.npr.active = True
        cls.usd = cls.env.ref("base.USD")
        cls.today = fields.Date.context_today(cls.env["account.move"])
        cls.ram, cls.sita = cls.env["res.partner"].create(
            [
                {"name": "Ram Bahadur Shrestha", "phone": "9801234567"},
                {"name": "Sita Kumari", "phone": "9841234567"},
            ]
        )
        cls.accountant = new_test_user(
            cls.env,
            login="reminder_accountant",
            groups="account.group_account_invoice",
            company_id=cls.env.company.id,
        )

    def invoice(self, partner, days_overdue, amount=1000, currency=None, user=None):
        """A confirmed customer invoice due ``days_overdue`` days ago."""
        env = self.env(user=user) if user else self.env
        move = env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": self.today - timedelta(days=days_overdue),
                "invoice_date_due": self.today - timedelta(days=days_overdue),
                "currency_id": (currency or self.npr).id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Goods",
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [],
                        }
                    )
                ],
            }
        )
        move.action_post()
        self.assertEqual(move.invoice_date_due, self.today - timedelta(days_overdue))
        return move

    def run_reminders(self, **kwargs):
        with patch.object(self.env.cr, "commit", lambda: None):
            self.env["aakash.sms.reminder"]._cron_send_reminders(**kwargs)

    def reminders_of(self, moves):
        return self.env["aakash.sms.reminder"].search(
            [("move_id", "in", moves.ids)], order="id"
        )

    def pay(self, invoice, amount=None):
        register = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"amount": amount} if amount else {})
        )
        register._create_payments()


@tagged("post_install", "-at_install")
class TestReminderSteps(ReminderCase):
    def test_companies_get_three_default_steps(self):
        steps = self.env.company.aakash_sms_reminder_step_ids
        self.assertEqual(steps.mapped("days"), [3, 10, 30])
        self.assertTrue(all(steps.mapped("enabled")))
        other = self.env["res.company"].create({"name": "Pokhara Branch"})
        self.assertEqual(other.aakash_sms_reminder_step_ids.mapped("days"), [3, 10, 30])

    def test_each_step_once_per_invoice(self):
        invoice = self.invoice(self.ram, 3)
        self.run_reminders()
        row = self.messages_of(invoice)
        self.assertEqual(
            (len(row), row.state, row.number), (1, "pending", "9801234567")
        )
        self.assertIn(invoice.name, row.body)
        self.assertIn("(3 days)", row.body)
        self.assertEqual(self.reminders_of(invoice).step_days, 3)
        self.assertTrue(
            invoice.message_ids.filtered(
                lambda m: "Payment reminder (3 days after the due date)"
                in (m.body or "")
            ),
            "the chatter shows the reminder",
        )
        # again the same day, and the next days: nothing more until the next step
        self.run_reminders()
        self.assertEqual(len(self.messages_of(invoice)), 1)
        self.env["aakash.sms.reminder"].sudo().search([]).reminder_date -= timedelta(
            days=1
        )
        self.run_reminders()
        self.assertEqual(len(self.messages_of(invoice)), 1)
        # ten days overdue: the second step
        invoice.invoice_date_due -= timedelta(days=7)
        self.run_reminders()
        self.assertEqual(self.reminders_of(invoice).mapped("step_days"), [3, 10])
        self.assertEqual(len(self.messages_of(invoice)), 2)

    def test_only_the_highest_step_reached(self):
        invoice = self.invoice(self.ram, 45)
        self.run_reminders()
        self.assertEqual(self.reminders_of(invoice).mapped("step_days"), [30])
        self.assertEqual(len(self.messages_of(invoice)), 1)

    def test_not_before_the_first_step_nor_disabled_step(self):
        self.invoice(self.ram, 2)
        self.env.company.aakash_sms_reminder_step_ids.filtered(
            lambda s: s.days == 3
        ).enabled = False
        self.invoice(self.sita, 5)
        self.run_reminders()
        self.assertFalse(self.env["aakash.sms.reminder"].search([]))

    def test_never_paid_in_payment_or_cancelled(self):
        paid = self.invoice(self.ram, 5)
        self.pay(paid)
        self.assertIn(paid.payment_state, ("paid", "in_payment"))
        cancelled = self.invoice(self.sita, 5)
        cancelled.button_cancel()
        self.run_reminders()
        self.assertFalse(self.messages_of(paid | cancelled))
        self.assertFalse(self.reminders_of(paid | cancelled))

    def test_partly_paid_invoice_reminded_with_what_remains(self):
        invoice = self.invoice(self.ram, 5, amount=1000)
        self.pay(invoice, amount=400)
        self.assertEqual(invoice.payment_state, "partial")
        self.run_reminders()
        self.assertIn("600.00", self.messages_of(invoice).body)

    def test_never_without_mobile_opted_out_or_excluded(self):
        landline = self.env["res.partner"].create(
            {"name": "Landline Only", "phone": "01-4412345"}
        )
        nobody = self.env["res.partner"].create({"name": "No Number"})
        self.env["phone.blacklist"].sudo().add("+9779841234567")  # Sita
        self.ram.aakash_sms_no_reminders = True
        invoices = (
            self.invoice(landline, 5)
            | self.invoice(nobody, 5)
            | self.invoice(self.sita, 5)
            | self.invoice(self.ram, 5)
        )
        self.run_reminders()
        self.assertFalse(self.messages_of(invoices))
        self.assertFalse(self.reminders_of(invoices), "nothing claimed")
        # a mobile added later: the next run texts the step
        nobody.phone = "9851234567"
        self.run_reminders()
        self.assertEqual(self.messages_of(invoices).number, "9851234567")

    def test_one_sms_per_customer_lists_invoices_and_total(self):
        first = self.invoice(self.ram, 12, amount=1000)
        second = self.invoice(self.ram, 4, amount=2500)
        self.run_reminders()
        [row] = self.messages_of(first | second)
        self.assertEqual(row.res_id, first.id, "about the most overdue invoice")
        self.assertIn(f"{first.name}, {second.name}", row.body)
        self.assertIn("3,500.00", row.body)
        self.assertEqual(self.reminders_of(first | second).mapped("step_days"), [10, 3])
        self.assertEqual(self.reminders_of(first | second).message_id, row)
        self.assertTrue(
            second.message_ids.filtered(
                lambda m: f"listed in the SMS about {first.name}" in (m.body or "")
            )
        )

    def test_customer_name_written_as_code_is_texted_as_typed(self):
        self.env.company.aakash_sms_reminder_step_ids.template_id = self.env[
            "sms.template"
        ].create(
            {
                "name": "With the name",
                "model_id": self.env["ir.model"]._get_id("account.move"),
                "body": "Namaste {{ object.partner_id.name }}, "
                "{{ object.aakash_sms_overdue_names }} is overdue",
            }
        )
        self.ram.name = "Ram {{ 6 * 7 }}"
        invoice = self.invoice(self.ram, 3)
        self.run_reminders()
        self.run_queue()
        [request] = self.gateway.requests
        self.assertEqual(
            request.form["text"],
            f"Namaste Ram {{{{ 6 * 7 }}}}, {invoice.name} is overdue",
        )

    def test_usd_invoice_in_dollars(self):
        invoice = self.invoice(self.sita, 3, amount=25, currency=self.usd)
        self.run_reminders()
        self.assertIn("$", self.messages_of(invoice).body)
        self.assertIn("25.00", self.messages_of(invoice).body)

    def test_invoice_shows_steps_that_went_out(self):
        invoice = self.invoice(self.ram, 10)
        self.run_reminders()
        self.assertEqual(
            invoice.aakash_sms_reminder_ids.mapped("display_name"),
            ["10 days after the due date"],
        )
        self.assertEqual(invoice.aakash_sms_reminder_ids.sms_state, "pending")

    def test_link_is_the_full_portal_url(self):
        invoice = self.invoice(self.ram, 3)
        self.run_reminders()
        url = invoice.get_base_url() + invoice.get_portal_url()
        self.assertTrue(url.startswith("http"))
        self.assertTrue(self.messages_of(invoice).body.endswith(url))

    def test_english_template_fits_one_gsm_part(self):
        """Typical values: a 14-character invoice number, Rs 12,500.00, a shop's
        web address, Odoo's 36-character access token."""
        self.env["ir.config_parameter"].sudo().set_param(
            "web.base.url", "https://shop.example.com"
        )
        invoice = self.invoice(self.ram, 10, amount=12500)
        self.run_reminders()
        text = self.messages_of(invoice).body
        self.assertIn("12,500.00", text)
        info = measure(gsm_safe(text))
        self.assertEqual((info.encoding, info.segments), ("gsm7", 1), text)

    def test_nepali_customer_gets_the_nepali_text(self):
        self.env["res.lang"]._activate_lang("ne_NP")
        self.env["ir.module.module"].search(
            [("name", "=", "aakash_sms_account")]
        )._update_translations(["ne_NP"])
        self.sita.lang = "ne_NP"
        nepali = self.invoice(self.sita, 3)
        english = self.invoice(self.ram, 3)
        self.run_reminders()
        self.assertIn("तिर्न", self.messages_of(nepali).body)
        self.assertNotIn("तिर्न", self.messages_of(english).body)

    def test_accountant_invoices_reminded_by_the_cron(self):
        """An accountant without SMS groups: the cron's reminders go out for their
        invoices, and their "Send Reminder Now" works (once a day)."""
        self.assertFalse(self.accountant.has_group("aakash_sms.group_aakash_sms_user"))
        by_cron = self.invoice(self.ram, 3, user=self.accountant)
        manual = self.invoice(self.sita, 1, user=self.accountant)
        self.run_reminders()
        self.assertEqual(len(self.messages_of(by_cron)), 1)
        self.assertFalse(self.messages_of(manual), "no step reached yet")
        as_accountant = manual.with_user(self.accountant)
        self.assertTrue(as_accountant.aakash_sms_can_remind)
        as_accountant.action_aakash_sms_remind_now()
        reminder = self.reminders_of(manual)
        self.assertEqual((reminder.manual, reminder.user_id), (True, self.accountant))
        self.assertEqual(self.messages_of(manual).state, "pending")
        with self.assertRaisesRegex(UserError, "already got a payment reminder today"):
            as_accountant.action_aakash_sms_remind_now()
        with self.assertRaisesRegex(UserError, "already got a payment reminder today"):
            by_cron.with_user(self.accountant).action_aakash_sms_remind_now()
        self.run_queue()
        self.assertEqual(
            sorted(self.gateway.sent_numbers()), ["9801234567", "9841234567"]
        )

    def test_button_refuses_paid_excluded_or_unreachable(self):
        paid = self.invoice(self.ram, 5)
        self.pay(paid)
        self.assertFalse(paid.aakash_sms_can_remind)
        with self.assertRaisesRegex(UserError, "overdue and not paid"):
            paid.action_aakash_sms_remind_now()
        self.sita.aakash_sms_no_reminders = True
        with self.assertRaisesRegex(UserError, "gets no SMS reminders"):
            self.invoice(self.sita, 5).action_aakash_sms_remind_now()
        nobody = self.env["res.partner"].create({"name": "No Number"})
        with self.assertRaisesRegex(UserError, "no Nepali mobile"):
            self.invoice(nobody, 5).action_aakash_sms_remind_now()

    def test_out_of_time_resumes_next_run_without_sending_twice(self):
        invoices = self.invoice(self.ram, 3) | self.invoice(self.sita, 3)
        Cron = type(self.env["ir.cron"])
        with patch.object(Cron, "_commit_progress", return_value=0):
            self.run_reminders(chunk_size=1)
        self.assertEqual(len(self.messages_of(invoices)), 1, "one chunk, then out")
        self.run_reminders(chunk_size=1)
        self.run_reminders(chunk_size=1)
        self.assertEqual(
            sorted(self.messages_of(invoices).mapped("number")),
            ["9801234567", "9841234567"],
        )

    def test_claims_are_unique_in_the_database(self):
        invoice = self.invoice(self.ram, 3)
        self.run_reminders()
        Reminder = self.env["aakash.sms.reminder"]
        step = self.reminders_of(invoice).step_id
        again = Reminder._claim(
            {(self.ram.id, invoice.company_id.id): [(invoice.id, step.id, 3)]},
            self.today + timedelta(days=1),
        )
        self.assertFalse(again, "the step of this invoice is claimed already")


@tagged("post_install", "-at_install")
class TestReminderSettings(ReminderCase):
    def test_settings_show_each_template_with_preview_and_edit_link(self):
        invoice = self.invoice(self.ram, 10, amount=1500)
        settings = self.env["res.config.settings"].create({})
        for fname in (
            "aakash_sms_invoice_preview",
            "aakash_sms_reminder_preview",
            "aakash_sms_payment_preview",
        ):
            with self.subTest(fname=fname):
                self.assertIn(invoice.name, settings[fname])
        self.assertIn("(10 days)", settings.aakash_sms_reminder_preview)
        self.assertEqual(
            settings.aakash_sms_reminder_steps,
            "3 days after the due date, 10 days after the due date, "
            "30 days after the due date",
        )
        for kind, xmlid in (
            ("invoice", "sms_template_invoice_confirmed"),
            ("reminder", "sms_template_invoice_reminder"),
            ("payment", "sms_template_payment_received"),
        ):
            with self.subTest(kind=kind):
                action = settings.with_context(
                    aakash_sms_template=kind
                ).action_aakash_sms_edit_template()
                self.assertEqual(
                    (action["res_model"], action["res_id"]),
                    ("sms.template", self.env.ref(f"aakash_sms_account.{xmlid}").id),
                )
        steps = settings.action_aakash_sms_reminder_steps()
        self.assertEqual(
            self.env["aakash.sms.reminder.step"].search(steps["domain"]),
            self.env.company.aakash_sms_reminder_step_ids,
        )
        arch = self.env["res.config.settings"].get_view(view_type="form")["arch"]
        payments = arch[arch.index('id="pay_invoice_online_setting_container"') :]
        payments = payments[: payments.index("</block>")]
        for fname in ("aakash_sms_reminder_preview", "aakash_sms_payment_receipt"):
            self.assertIn(fname, payments)

    def test_preview_in_every_active_language(self):
        self.env["res.lang"]._activate_lang("ne_NP")
        self.invoice(self.ram, 10)
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(
            len(settings.aakash_sms_reminder_preview.splitlines()), 2, "English, Nepali"
        )

    def test_no_invoice_yet(self):
        company = self.env["res.company"].create({"name": "Empty Branch"})
        settings = self.env["res.config.settings"].with_company(company).create({})
        self.assertEqual(
            settings.aakash_sms_reminder_preview,
            "No confirmed customer invoice to preview yet.",
        )

    def test_reminder_preview_is_on_an_overdue_invoice(self):
        """The latest invoice may not be due yet: the reminder is previewed on the
        latest overdue one (its days overdue), or says there is none."""
        overdue = self.invoice(self.ram, 12)
        latest = self.invoice(self.ram, 0)
        settings = self.env["res.config.settings"].create({})
        self.assertIn(latest.name, settings.aakash_sms_invoice_preview)
        self.assertIn("(12 days)", settings.aakash_sms_reminder_preview)
        self.assertNotIn("( days)", settings.aakash_sms_reminder_preview)
        overdue.button_draft()
        overdue.button_cancel()
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(
            settings.aakash_sms_reminder_preview,
            "No overdue customer invoice to preview a reminder on yet.",
        )


@tagged("post_install", "-at_install")
class TestReminderDay(ReminderCase):
    def test_one_reminder_a_day_in_the_companys_time_zone(self):
        """At 00:15 in Kathmandu (18:30 UTC the day before), the cron and a user in
        Kathmandu agree on the day: the customer gets one reminder, not one per
        calendar (UTC and Nepal)."""
        from datetime import datetime, time

        from freezegun import freeze_time

        invoice = self.invoice(self.ram, 10)
        self.env.user.tz = False  # the cron's user: no time zone (UTC)
        self.accountant.tz = "Asia/Kathmandu"
        with freeze_time(datetime.combine(self.today, time(18, 30))):
            self.run_reminders()
            self.assertEqual(len(self.reminders_of(invoice)), 1)
            with self.assertRaisesRegex(
                UserError, "already got a payment reminder today"
            ):
                invoice.with_user(self.accountant).action_aakash_sms_remind_now()
        self.assertEqual(len(self.reminders_of(invoice)), 1)
