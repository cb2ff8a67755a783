"""The SMS Report (graph and pivot of the SMS log), the provider's credits by month,
the low-balance warning's days, and the wizard's credit guard, as the people who use
them: an SMS manager who is no accountant, an SMS user, an employee."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import TOKEN, AakashSmsCase, role_user, sandbox_provider


@tagged("post_install", "-at_install")
class TestSmsReport(AakashSmsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = role_user(cls.env, "sms_manager", "report_manager")
        cls.employee = role_user(cls.env, "employee", "report_employee")
        now = fields.Datetime.now()
        rows = [
            ("delivered", "NTC", 2),
            ("delivered", "NTC", 1),
            ("undelivered", "NTC", 1),
            ("delivered", "Ncell", 1),
            ("queued", "Ncell", 1),  # no report yet: not in the rate
            ("rejected", False, 0),
        ]
        cls.rows = (
            cls.env["aakash.sms.message"]
            .sudo()
            .create(
                [
                    {
                        "body": "Report",
                        "number": "9812345678",
                        "state": state,
                        "network": network,
                        "credits": credits,
                        "provider_id": cls.provider.id,
                        "sent_date": now if credits else False,
                        "res_model": "res.partner",
                        "send_ref": "report-send",
                    }
                    for state, network, credits in rows
                ]
            )
        )

    def pivot(self, user, groupby):
        """The pivot's groups, as the web client reads them."""
        groups = self.env(user=user)["aakash.sms.message"].formatted_read_group(
            [("id", "in", self.rows.ids)],
            groupby,
            ["credits:sum", "delivery_rate:avg", "__count"],
        )
        return [
            {
                **group,
                "credits": group["credits:sum"],
                "delivery_rate": group["delivery_rate:avg"],
            }
            for group in groups
        ]

    def test_an_sms_manager_who_is_no_accountant_reads_credits_and_delivery(self):
        groups = {g["network"]: g for g in self.pivot(self.manager, ["network"])}
        self.assertEqual(groups["NTC"]["credits"], 4)
        self.assertEqual(groups["NTC"]["__count"], 3)
        self.assertAlmostEqual(groups["NTC"]["delivery_rate"], 200 / 3)
        self.assertEqual(groups["Ncell"]["delivery_rate"], 100, "queued: not counted")
        for groupby in (
            ["create_date:month"],
            ["user_id"],
            ["company_id"],
            ["res_model"],
            ["send_ref"],
        ):
            [total] = self.pivot(self.manager, groupby)
            self.assertEqual((total["credits"], total["__count"]), (6, 6), groupby)
            self.assertEqual(total["delivery_rate"], 75)

    def test_the_sms_report_menu_opens_the_graph_then_the_pivot(self):
        action = self.env.ref("aakash_sms.action_aakash_sms_report")
        self.assertEqual(action.view_mode.split(",")[:2], ["graph", "pivot"])
        menu = self.env.ref("aakash_sms.menu_aakash_sms_contacts_report")
        self.assertEqual(menu.action, action)
        self.assertTrue(
            menu.with_user(self.sms_user)._filter_visible_menus(),
            "SMS users see the report where they find the log",
        )
        for view in ("graph", "pivot", "search"):
            self.env["aakash.sms.message"].with_user(self.manager).get_view(
                view_type=view
            )

    def test_an_sms_user_reads_the_report_and_an_employee_does_not(self):
        [total] = self.pivot(self.sms_user, ["company_id"])
        self.assertEqual(total["__count"], 6)
        with self.assertRaises(AccessError):
            self.pivot(self.employee, ["company_id"])

    def test_the_provider_shows_credits_this_month_and_last(self):
        last_month = fields.Datetime.now().replace(day=1) - timedelta(days=3)
        self.rows[:1].sudo().sent_date = last_month
        provider = self.provider.with_user(self.manager)
        self.assertEqual(provider.credits_this_month, 4)
        self.assertEqual(provider.credits_last_month, 2)

    def test_the_low_balance_warning_says_how_many_days_it_lasts(self):
        provider = self.provider.sudo()
        provider.write({"balance": 50, "low_balance_threshold": 100})
        provider._check_low_balance()
        note = provider.activity_ids[:1].note
        per_day = 6 / fields.Date.today().day
        self.assertIn(f"they last about {int(50 // per_day)} days", str(note))


@tagged("post_install", "-at_install")
class TestCreditGuard(AakashSmsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = role_user(cls.env, "sms_manager", "guard_manager")
        cls.people = cls.contacts(
            ("A", "9812345678"), ("B", "9841112222"), ("C", "9851112222")
        )

    def composer(self, user, balance):
        self.gateway.credits = {TOKEN: balance}
        # the last reading is an hour old: read again before sending
        self.provider.sudo().write(
            {
                "balance": 1000,
                "balance_date": fields.Datetime.now() - timedelta(hours=1),
            }
        )
        form = self.open_composer(self.people, user=user)
        form.body = "Dashain sale"
        return form.save()

    def test_a_send_the_balance_cannot_pay_for_is_withheld_and_says_so(self):
        composer = self.composer(self.sms_user, balance=2)
        action = composer.action_send()
        self.assertEqual(action["res_model"], "aakash.sms.composer", "shown again")
        self.assertFalse(self.messages_of(self.people), "nothing created")
        self.assertFalse(self.gateway.sent_numbers(), "nothing sent")
        self.assertEqual(self.provider.sudo().balance, 2, "read fresh")
        self.assertEqual(
            composer.credit_shortfall,
            "This send needs about 3 credits and Aakash Sandbox has 2.0 left: it is "
            "not sent. Top up the Aakash SMS account or text fewer recipients.",
        )

    def test_an_sms_manager_sends_what_the_balance_covers(self):
        composer = self.composer(self.manager, balance=2)
        composer.action_send()
        self.assertIn("As an SMS manager", composer.credit_shortfall)
        composer.action_send_covered()
        self.run_queue()
        self.assertEqual(
            sorted(self.gateway.sent_numbers()), ["9812345678", "9841112222"]
        )
        self.assertEqual(len(self.messages_of(self.people)), 2)

    def test_a_send_the_balance_pays_for_goes(self):
        composer = self.composer(self.sms_user, balance=3)
        self.assertFalse(composer.credit_shortfall, "the last reading: 1000")
        composer.action_send()
        self.run_queue()
        self.assertEqual(len(self.gateway.sent_numbers()), 3)

    def test_a_balance_that_cannot_be_read_does_not_block(self):
        composer = self.composer(self.sms_user, balance=1)
        self.gateway.ip_blocked.add(TOKEN)
        composer.action_send()
        self.assertEqual(len(self.messages_of(self.people)), 3, "sent all the same")


@tagged("post_install", "-at_install")
class TestMonthlyBudget(AakashSmsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Pokhara Budget"})
        cls.provider_b = sandbox_provider(
            cls.env,
            cls.gateway,
            "Pokhara",
            company_id=cls.company_b.id,
            is_default=True,
        )
        cls.hari, cls.gita = cls.contacts(
            ("Hari", "9812345678"), ("Gita", "9841112222")
        )

    def queue(self, company, partner):
        Message = self.env["aakash.sms.message"].with_company(company)
        rows = Message._aakash_create_rows(partner, {partner.id: "Budget"})
        rows._aakash_queue()
        return rows

    def test_a_second_companys_spent_budget_stops_its_queued_sms_only(self):
        self.company_b.aakash_sms_monthly_budget = 2
        self.env["aakash.sms.message"].sudo().create(
            {
                "body": "Earlier",
                "number": "9851112222",
                "state": "delivered",
                "credits": 2,
                "sent_date": fields.Datetime.now(),
                "company_id": self.company_b.id,
                "provider_id": self.provider_b.id,
            }
        )
        row_b = self.queue(self.company_b, self.hari)
        row_a = self.queue(self.company, self.gita)
        self.run_queue()
        self.assertEqual(self.gateway.sent_numbers(), ["9841112222"])
        self.assertEqual((row_a.state, row_b.state), ("queued", "failed"))
        self.assertEqual(row_b.error_kind, "budget")
        self.assertIn("monthly SMS credit budget of Pokhara Budget", row_b.reason)

    def test_under_the_budget_the_sms_go(self):
        self.company_b.aakash_sms_monthly_budget = 3
        row_b = self.queue(self.company_b, self.hari)
        self.run_queue()
        self.assertEqual(row_b.state, "queued")
