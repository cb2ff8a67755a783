from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import TOKEN, AakashSmsCase


@tagged("post_install", "-at_install")
class TestProvider(AakashSmsCase):
    def test_test_connection_and_balance(self):
        action = self.provider.action_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn("1,000", action["params"]["message"])
        self.assertEqual(self.provider.balance, 1000)
        self.assertTrue(self.provider.balance_date)
        self.assertEqual(self.gateway.requests[-1].path, "/sms/v1/credit")
        self.gateway.credits[TOKEN] = 42
        self.provider.action_refresh_balance()
        self.assertEqual(self.provider.balance, 42)

    def test_test_connection_explains_failures(self):
        self.provider.auth_token = "not-a-token"
        with self.assertRaisesRegex(UserError, "token is not accepted") as caught:
            self.provider.action_test_connection()
        self.assertNotIn("not-a-token", str(caught.exception))
        self.gateway.ip_blocked.add(TOKEN)
        self.addCleanup(self.gateway.ip_blocked.discard, TOKEN)
        self.provider.auth_token = TOKEN
        with self.assertRaisesRegex(UserError, "Allowed Ip") as caught:
            self.provider.action_test_connection()
        self.assertNotIn(TOKEN, str(caught.exception))
        self.provider.base_url = "http://127.0.0.1:9/sms"
        with self.assertRaisesRegex(UserError, "cannot be reached"):
            self.provider.action_test_connection()

    def test_the_gateway_url_rule_says_what_it_accepts(self):
        # the sandbox is a test gateway on http://: accepted, as the message says
        self.assertTrue(self.provider.base_url.startswith("http://"))
        for url in ("sms.aakashsms.com/sms", "ftp://sms.aakashsms.com/sms"):
            with self.subTest(url=url), self.assertRaises(ValidationError) as caught:
                self.provider.base_url = url
            self.assertEqual(
                str(caught.exception),
                "The gateway URL must start with https:// (or http:// for a test "
                "gateway), for example https://sms.aakashsms.com/sms.",
            )

    def test_token_only_for_system_admins(self):
        manager = new_test_user(
            self.env,
            login="sms_manager",
            groups="base.group_user,aakash_sms.group_aakash_sms_manager",
        )
        for user in (self.sms_user, manager):
            provider = self.provider.with_user(user)
            self.assertEqual(provider.name, "Aakash Sandbox")
            self.assertTrue(provider.has_token)
            with self.assertRaises(AccessError):
                provider.read(["auth_token"])
        self.assertNotIn(
            "auth_token",
            self.env["aakash.sms.provider"].with_user(self.sms_user).fields_get(),
        )
        # as admin
        self.assertEqual(self.provider.read(["auth_token"])[0]["auth_token"], TOKEN)

    def test_token_never_tracked(self):
        self.provider.write({"auth_token": "new-secret-token", "name": "Renamed"})
        self.env.flush_all()
        self.env.cr.precommit.run()  # tracking values are written at commit
        self.env.cr.execute(
            "SELECT count(*) FROM mail_tracking_value v JOIN mail_message m "
            "ON m.id = v.mail_message_id WHERE m.model = 'aakash.sms.provider' "
            "AND (v.old_value_char LIKE %s OR v.new_value_char LIKE %s)",
            ["%secret%", "%secret%"],
        )
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        self.assertTrue(
            self.provider.message_ids.tracking_value_ids, "other fields are tracked"
        )

    def test_one_default_per_company(self):
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.env["aakash.sms.provider"].create(
                {"name": "Second", "auth_token": "x", "is_default": True}
            )
        self.assertEqual(
            self.env["aakash.sms.provider"]._get_default_sudo(), self.provider
        )

    def test_portal_user_reaches_nothing(self):
        portal = new_test_user(self.env, login="sms_portal", groups="base.group_portal")
        for model in (
            "aakash.sms.provider",
            "aakash.sms.message",
            "aakash.sms.composer",
        ):
            with self.assertRaises(AccessError):
                self.env[model].with_user(portal).search([])

    def test_sms_users_find_the_log(self):
        menu = self.env.ref("aakash_sms.menu_aakash_sms_discuss")
        visible = self.env["ir.ui.menu"].with_user(self.sms_user)._visible_menu_ids()
        self.assertIn(menu.id, visible)
        plain = new_test_user(self.env, login="no_sms", groups="base.group_user")
        self.assertNotIn(
            menu.id, self.env["ir.ui.menu"].with_user(plain)._visible_menu_ids()
        )
