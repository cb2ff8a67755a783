"""Who can do what (issue #12), tested as real users.

``TestPermissions`` covers the provider and the access rules.
``TestBusinessActionsTriggerSms`` and ``TestCompaniesApartInEngine`` exercise the
sending engine (send paths, queue): they describe what the engine must do for
plain users, opted-out numbers and cross-company rows.
"""

from contextlib import suppress
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.modules import neutralize
from odoo.tests import tagged
from odoo.tools.translate import code_translations

from aakash_sms_sandbox import SandboxGateway

from .common import TOKEN, AakashSmsCase, role_user, sandbox_provider

TOKEN_B = "token-b-7c41d0"


class CompanyBMixin:
    """A second company with its own provider (same sandbox, its own token) and
    manager."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.provider.company_id
        cls.company_b = (
            cls.env["res.company"].sudo().create({"name": "Pokhara Traders"})
        )
        cls.gateway.credits[TOKEN_B] = 50
        cls.provider_b = sandbox_provider(
            cls.env,
            cls.gateway,
            "Pokhara account",
            auth_token=TOKEN_B,
            company_id=cls.company_b.id,
            is_default=True,
        )
        cls.manager_b = role_user(
            cls.env,
            "sms_manager",
            "sms_manager_b",
            name="Manager B",
            company_id=cls.company_b.id,
        )

    def setUp(self):
        super().setUp()
        self.gateway.credits[TOKEN_B] = 50

    def tokens_sent(self):
        return [request.form.get("auth_token") for request in self.gateway.requests]


@tagged("post_install", "-at_install")
class TestPermissions(CompanyBMixin, AakashSmsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = {"company_id": cls.company_a.id}
        cls.employee = role_user(cls.env, "employee", "perm_employee", **company)
        # an employee with a business role but no Aakash group (an accountant in
        # aakash_sms_account's tests)
        cls.contact_manager = role_user(
            cls.env, "contact_manager", "perm_contact_manager", **company
        )
        cls.manager = role_user(cls.env, "sms_manager", "perm_sms_manager", **company)
        cls.admin = role_user(cls.env, "admin", "perm_admin", **company)
        cls.portal = role_user(cls.env, "portal", "perm_portal", **company)
        cls.partner = cls.env["res.partner"].create(
            {"name": "Ram", "phone": "9812345678"}
        )
        cls.row_a = (
            cls.env["aakash.sms.message"]
            .sudo()
            .create(
                {
                    "number": "9812345678",
                    "number_raw": "9812345678",
                    "body": "row of company A",
                    "provider_id": cls.provider.id,
                    "company_id": cls.company_a.id,
                    "state": "queued",
                }
            )
        )

    def assert_nothing_sent(self):
        self.assertEqual(self.gateway.requests, [], "no request may reach the gateway")

    # ------------------------------------------------------------------
    # Provider actions
    # ------------------------------------------------------------------
    def test_provider_actions_refused_before_the_token_is_read(self):
        refused = {
            "employee": (self.employee, self.provider),
            "contact manager": (self.contact_manager, self.provider),
            "sms user": (self.sms_user, self.provider),
            "portal": (self.portal, self.provider),
            "manager of company B": (self.manager_b, self.provider),
            "manager of company A": (self.manager, self.provider_b),
        }
        for who, (user, provider) in refused.items():
            for method in ("action_test_connection", "action_refresh_balance"):
                with self.subTest(who=who, method=method):
                    # the cache is shared between users: start as a fresh request would
                    self.env.invalidate_all()
                    with self.assertRaises(AccessError):
                        getattr(provider.with_user(user), method)()
                    self.assert_nothing_sent()
        self.assertEqual(
            (self.provider.sudo().balance, self.provider_b.sudo().balance), (0, 0)
        )
        self.assertFalse(
            any((self.provider | self.provider_b).sudo().mapped("balance_date"))
        )

    def test_provider_actions_for_managers_of_its_company_and_admins(self):
        for user, provider, credit in (
            (self.manager, self.provider, 1000),
            (self.manager_b, self.provider_b, 50),
            # a system administrator without any Aakash group
            (self.admin, self.provider, 1000),
        ):
            with self.subTest(user=user.login):
                self.env.invalidate_all()
                action = provider.with_user(user).action_test_connection()
                self.assertEqual(action["params"]["type"], "success")
                self.assertEqual(provider.with_user(user).balance, credit)
                provider.with_user(user).action_refresh_balance()
        self.assertEqual(
            self.tokens_sent(), [TOKEN, TOKEN, TOKEN_B, TOKEN_B, TOKEN, TOKEN]
        )

    def test_manager_of_both_companies_refreshes_both(self):
        self.manager.company_ids += self.company_b
        both = (
            (self.provider | self.provider_b)
            .with_user(self.manager)
            .with_context(allowed_company_ids=(self.company_a | self.company_b).ids)
        )
        both.action_refresh_balance()
        self.assertEqual(self.tokens_sent(), [TOKEN, TOKEN_B])
        # the company of provider B is allowed but not active: refused by the record
        # rule
        self.env.invalidate_all()
        with self.assertRaises(AccessError):
            self.provider_b.with_user(self.manager).with_context(
                allowed_company_ids=self.company_a.ids
            ).action_test_connection()
        self.assertEqual(len(self.gateway.requests), 2)

    def test_engine_reads_the_token_as_superuser(self):
        client = self.provider.sudo()._get_client()
        self.assertEqual(client.base_url, self.gateway.base_url)
        self.assertEqual(client.credit().available, 1000)
        self.env.invalidate_all()
        with self.assertRaises(AccessError):
            self.provider.with_user(self.sms_user)._get_client()

    def test_view_messages_follows_read_access(self):
        action = self.provider.with_user(self.sms_user).action_view_messages()
        self.assertEqual(action["domain"], [("provider_id", "=", self.provider.id)])
        self.env.invalidate_all()
        for user in (self.employee, self.manager_b):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.provider.with_user(user).action_view_messages()

    # ------------------------------------------------------------------
    # The token and where it is sent
    # ------------------------------------------------------------------
    def test_token_hidden_from_everyone_but_admins(self):
        for user in (
            self.employee,
            self.contact_manager,
            self.sms_user,
            self.manager,
            self.manager_b,
            self.portal,
        ):
            with self.subTest(user=user.login):
                self.env.invalidate_all()
                with self.assertRaises(AccessError):
                    self.provider.with_user(user).read(["auth_token"])
                with self.assertRaises(AccessError):
                    self.provider.with_user(user).search_read([], ["auth_token"])
        with self.assertRaises(AccessError):
            self.provider.with_user(self.manager).write({"auth_token": "mine-now"})
        self.assertEqual(
            self.provider.with_user(self.admin).read(["auth_token"])[0]["auth_token"],
            TOKEN,
        )

    def test_gateway_url_reserved_to_admins(self):
        """A manager pointing the provider at a server of theirs never gets the
        token."""
        thief = SandboxGateway(tokens={})
        thief.start()
        self.addCleanup(thief.stop)
        as_manager = self.provider.with_user(self.manager)
        with self.assertRaisesRegex(AccessError, "system administrators"):
            as_manager.write({"base_url": thief.base_url})
        with self.assertRaises(AccessError):
            as_manager.write({"name": "Renamed", "base_url": thief.base_url})
        self.env.invalidate_all()
        self.assertEqual(self.provider.sudo().base_url, self.gateway.base_url)
        as_manager.action_test_connection()
        self.assertEqual(thief.requests, [])
        self.assertEqual(self.tokens_sent(), [TOKEN])
        # other settings stay the manager's; writing the same URL changes nothing
        as_manager.write(
            {"timeout": 5, "batch_size": 50, "base_url": self.gateway.base_url}
        )
        self.assertEqual(self.provider.sudo().timeout, 5)
        # an administrator decides where the token goes
        self.provider.with_user(self.admin).base_url = "https://sms.example.com/sms"
        self.assertEqual(self.provider.sudo().base_url, "https://sms.example.com/sms")

    def test_refusals_in_the_users_language(self):
        self.env["res.lang"]._activate_lang("ne_NP")
        url_refusal = (
            "Only system administrators can change where an Aakash SMS provider sends "
            "its auth token (the gateway URL)."
        )
        action_refusal = (
            "Only Aakash SMS managers and system administrators can use Aakash SMS "
            "providers."
        )
        nepali = {
            url_refusal: "गेटवे URL (टोकन पठाइने ठाउँ) प्रणाली प्रशासकले मात्र बदल्न सक्छन्।",
            action_refusal: "Aakash SMS प्रदायक Aakash SMS व्यवस्थापक र प्रणाली "
            "प्रशासकले मात्र चलाउन सक्छन्।",
        }
        with patch.dict(
            code_translations.python_translations, {("aakash_sms", "ne_NP"): nepali}
        ):
            with self.assertRaises(AccessError) as caught:
                self.provider.with_user(self.manager).with_context(lang="ne_NP").write(
                    {"base_url": "https://thief.example.com/sms"}
                )
            self.assertEqual(caught.exception.args[0], nepali[url_refusal])
            with self.assertRaises(AccessError) as caught:
                self.provider.with_user(self.sms_user).with_context(
                    lang="ne_NP"
                ).action_test_connection()
            self.assertEqual(caught.exception.args[0], nepali[action_refusal])
        self.assert_nothing_sent()

    def test_manager_creates_providers_on_the_official_gateway(self):
        Provider = self.env["aakash.sms.provider"].with_user(self.manager)
        created = Provider.create(
            {"name": "Second account", "company_id": self.company_a.id}
        )
        self.assertEqual(created.base_url, "https://sms.aakashsms.com/sms")
        self.assertFalse(created.has_token)
        with self.assertRaises(AccessError):
            Provider.create({"name": "Third", "auth_token": "x"})
        with self.assertRaisesRegex(AccessError, "system administrators"):
            Provider.create(
                {"name": "Elsewhere", "base_url": "https://thief.example.com/sms"}
            )
        # the manager cannot copy a provider an administrator pointed elsewhere either
        with self.assertRaises(AccessError):
            self.provider.with_user(self.manager).copy()

    # ------------------------------------------------------------------
    # The log: only the engine writes it
    # ------------------------------------------------------------------
    def test_nobody_creates_or_edits_log_rows(self):
        vals = {
            "number": "9812345678",
            "number_raw": "9812345678",
            "body": "spend company A's credits",
            "provider_id": self.provider.id,
            "company_id": self.company_a.id,
            "state": "pending",
        }
        for user in (
            self.sms_user,
            self.manager,
            self.manager_b,
            self.employee,
            self.portal,
        ):
            with self.subTest(user=user.login):
                Message = self.env["aakash.sms.message"].with_user(user)
                with self.assertRaises(AccessError):
                    Message.create(dict(vals))
                with self.assertRaises(AccessError):
                    Message.create(
                        dict(
                            vals,
                            provider_id=self.provider_b.id,
                            company_id=self.company_b.id,
                        )
                    )
                with self.assertRaises(AccessError):
                    self.row_a.with_user(user).write({"state": "pending"})
        self.assertEqual(self.row_a.state, "queued")
        self.run_cron("aakash.sms.message", "_cron_send")
        self.assert_nothing_sent()
        # users read their company's log; managers may delete rows of it
        self.assertEqual(self.row_a.with_user(self.sms_user).body, "row of company A")
        with self.assertRaises(AccessError):
            self.row_a.with_user(self.sms_user).unlink()
        self.row_a.with_user(self.manager).unlink()
        self.assertFalse(self.row_a.exists())

    def test_company_b_neither_sees_nor_uses_company_a(self):
        Provider = self.env["aakash.sms.provider"].with_user(self.manager_b)
        self.assertEqual(Provider.search([]), self.provider_b)
        self.env.invalidate_all()
        with self.assertRaises(AccessError):
            self.provider.with_user(self.manager_b).read(["name"])
        with self.assertRaises(AccessError):
            self.provider.with_user(self.manager_b).write({"name": "Mine"})
        Message = self.env["aakash.sms.message"].with_user(self.manager_b)
        self.assertFalse(Message.search([("id", "=", self.row_a.id)]))
        with self.assertRaises(AccessError):
            self.row_a.with_user(self.manager_b).read(["body"])
        with self.assertRaises(AccessError):
            self.row_a.with_user(self.manager_b).unlink()

    def test_company_b_cannot_send_with_company_a_provider(self):
        composer = (
            self.env["aakash.sms.composer"]
            .with_user(self.manager_b)
            .create(
                {
                    "res_model": "res.partner",
                    "res_ids": repr(self.partner.ids),
                    "body": "on A's credits",
                    "provider_id": self.provider.id,
                }
            )
        )
        # refused outright, or as a refused row: both fine
        with suppress(AccessError, UserError):
            composer.action_send()
        self.assertNotIn(TOKEN, self.tokens_sent())

    def test_default_provider_is_usable_by_the_engine_for_any_user(self):
        for user in (self.employee, self.contact_manager, self.portal):
            with self.subTest(user=user.login):
                self.env.invalidate_all()
                provider = (
                    self.env["aakash.sms.provider"]
                    .with_user(user)
                    ._get_default_sudo(self.company_a)
                )
                self.assertEqual(provider, self.provider)
                self.assertTrue(
                    provider.env.su, "a sudo recordset, for the engine only"
                )
                self.assertEqual(provider.company_id, self.company_a)
        self.assertEqual(
            self.env["aakash.sms.provider"]
            .with_user(self.manager_b)
            ._get_default_sudo(),
            self.provider_b,
        )

    # ------------------------------------------------------------------
    # Database copies
    # ------------------------------------------------------------------
    def test_neutralized_copy_texts_nobody(self):
        self.assertIn("aakash_sms", neutralize.get_installed_modules(self.env.cr))
        queries = list(neutralize.get_neutralization_queries(["aakash_sms"]))
        self.assertEqual(len(queries), 1, "data/neutralize.sql is found by convention")
        for query in queries:
            self.env.cr.execute(query)
        self.env.invalidate_all()
        providers = (
            self.env["aakash.sms.provider"]
            .sudo()
            .with_context(active_test=False)
            .search([])
        )
        self.assertIn(self.provider, providers)
        self.assertEqual(set(providers.mapped("active")), {False})
        self.assertEqual(set(providers.mapped("auth_token")), {False})
        # whatever is still queued, and whatever is sent next, never leaves
        self.row_a.sudo().state = "pending"
        self.run_cron("aakash.sms.message", "_cron_send")
        self.env["aakash.sms.composer"].with_user(self.sms_user).create(
            {
                "res_model": "res.partner",
                "res_ids": repr(self.partner.ids),
                "body": "after neutralization",
                "provider_id": self.provider.id,
            }
        ).action_send()
        self.assert_nothing_sent()
        self.assertEqual(self.row_a.state, "failed")


@tagged("post_install", "-at_install")
class TestBusinessActionsTriggerSms(AakashSmsCase):
    """A user allowed to do the business action gets its SMS; opted-out numbers never
    get one.

    These exercise the sending engine's send paths (automation rules, wizard, server
    actions; invoice confirmation: aakash_sms_account's tests).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = {"company_id": cls.env.company.id}
        cls.employee = role_user(cls.env, "contact_manager", "biz_employee", **company)
        cls.partner_a = cls.env["res.partner"].create(
            {"name": "Ram", "phone": "9801234567"}
        )
        cls.partner_ok = cls.env["res.partner"].create(
            {"name": "Sita", "phone": "9841112222"}
        )
        # an administrator's action: users only run it
        actions_sudo = cls.env["ir.actions.server"].sudo()
        cls.server_action = actions_sudo.create(
            {
                "name": "Text the contact",
                "model_id": cls.env["ir.model"]._get_id("res.partner"),
                "state": "aakash_sms",
                "aakash_sms_body": "Namaste {{ object.name }}",
            }
        )

    def test_employee_creates_contact_under_sms_automation(self):
        """(b) an automation rule texting new contacts fires for an employee without
        SMS rights."""
        self.require_base_automation()
        automation = (
            self.env["base.automation"]
            .sudo()
            .create(
                {
                    "name": "Welcome SMS",
                    "model_id": self.env["ir.model"]._get_id("res.partner"),
                    "trigger": "on_create",
                }
            )
        )
        self.server_action.base_automation_id = automation
        partner = (
            self.env["res.partner"]
            .with_user(self.employee)
            .create({"name": "Gita", "phone": "9851000000"})
        )
        self.assertTrue(partner.exists())
        rows = self.messages_of(partner)
        self.assertEqual(len(rows), 1)
        self.assertIn(rows.state, ("pending", "queued"))
        self.assertEqual(rows.body, "Namaste Gita")

    def test_opted_out_numbers_never_texted(self):
        """(c) a number on Odoo's phone blacklist is refused by every send path."""
        self.env["phone.blacklist"].sudo().add("+9779801234567")  # partner_a's mobile
        both = self.partner_a | self.partner_ok

        with self.subTest(front_door="wizard"):
            composer = (
                self.env["aakash.sms.composer"]
                .with_user(self.sms_user)
                .with_context(active_model="res.partner", active_ids=both.ids)
                .create({"body": "Dashain offer"})
            )
            composer.action_send()
        with self.subTest(front_door="server action"):
            self.server_action.with_context(
                active_model="res.partner", active_ids=both.ids
            ).run()
        self.run_cron("aakash.sms.message", "_cron_send")

        opted_out = self.messages_of(self.partner_a)
        self.assertEqual(len(opted_out), 2, "one refused row per send path")
        for row in opted_out:
            self.assertEqual(row.state, "rejected")
            self.assertIn("opted out", (row.reason or "").lower())
        self.assertNotIn("9801234567", self.gateway.sent_numbers())
        self.assertEqual(
            self.gateway.sent_numbers(),
            ["9841112222", "9841112222"],
            "the others are texted",
        )


@tagged("post_install", "-at_install")
class TestCompaniesApartInEngine(CompanyBMixin, AakashSmsCase):
    """A row never spends another company's credits (``check_company`` and the
    queue)."""

    def test_row_with_another_company_provider_is_refused(self):
        with self.assertRaises(UserError):
            self.env["aakash.sms.message"].sudo().create(
                {
                    "number": "9812345678",
                    "number_raw": "9812345678",
                    "body": "on A's credits",
                    "provider_id": self.provider.id,
                    "company_id": self.company_b.id,
                }
            )

    def test_queue_refuses_a_cross_company_row(self):
        row = (
            self.env["aakash.sms.message"]
            .sudo()
            .create(
                {
                    "number": "9812345678",
                    "number_raw": "9812345678",
                    "body": "on A's credits",
                    "provider_id": self.provider.id,
                    "company_id": self.company_a.id,
                }
            )
        )
        # as if written before check_company existed, or by SQL
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE aakash_sms_message SET company_id = %s WHERE id = %s",
            [self.company_b.id, row.id],
        )
        self.env.invalidate_all()
        self.run_cron("aakash.sms.message", "_cron_send")
        self.assertEqual(
            self.gateway.requests, [], "company A's token is not used for company B"
        )
        self.assertIn(row.state, ("failed", "rejected"))
