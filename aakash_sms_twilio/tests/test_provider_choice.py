from odoo.tests import TransactionCase, tagged

from odoo.addons.aakash_sms.tools.sms_api import SmsApiAakash
from odoo.addons.sms.tools.sms_api import SmsApi
from odoo.addons.sms_twilio.tools.sms_api import SmsApiTwilio

from .. import post_init_hook


@tagged("post_install", "-at_install")
class TestProviderChoice(TransactionCase):
    """Odoo, Twilio or Aakash: one choice in the settings, one service per company."""

    def setUp(self):
        super().setUp()
        self.company = self.env.company
        self.company.write({"sms_provider": "iap"})

    def save_settings(self, **values):
        self.env["res.config.settings"].create(values).execute()

    def test_aakash_is_one_of_the_choices(self):
        self.save_settings(sms_provider="aakash")
        self.assertEqual(
            (self.company.sms_provider, self.company.aakash_sms_native),
            ("aakash", True),
        )
        self.assertIs(self.company._get_sms_api_class(), SmsApiAakash)
        self.save_settings(sms_provider="twilio")
        self.assertEqual(
            (self.company.sms_provider, self.company.aakash_sms_native),
            ("twilio", False),
        )
        self.assertIs(self.company._get_sms_api_class(), SmsApiTwilio)
        self.save_settings(sms_provider="iap")
        self.assertEqual(
            (self.company.sms_provider, self.company.aakash_sms_native), ("iap", False)
        )
        self.assertIs(self.company._get_sms_api_class(), SmsApi)

    def test_the_radio_wins_over_a_stale_checkbox(self):
        self.save_settings(sms_provider="aakash")
        # the settings form still holds the checkbox ticked when Twilio is picked
        self.save_settings(sms_provider="twilio", aakash_sms_native=True)
        self.assertEqual(
            (self.company.sms_provider, self.company.aakash_sms_native),
            ("twilio", False),
        )

    def test_the_core_switch_follows_and_leads(self):
        self.company.aakash_sms_native = True
        self.assertEqual(self.company.sms_provider, "aakash")
        self.company.aakash_sms_native = False
        self.assertEqual(self.company.sms_provider, "iap")
        self.company.sms_provider = "twilio"
        self.company.aakash_sms_native = False
        self.assertEqual(
            self.company.sms_provider,
            "twilio",
            "switching Aakash off leaves Twilio alone",
        )

    def test_installing_on_a_company_already_using_aakash(self):
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_company SET sms_provider = 'iap', aakash_sms_native = TRUE "
            "WHERE id = %s",
            [self.company.id],
        )
        self.company.invalidate_recordset()
        post_init_hook(self.env)
        self.assertEqual(self.company.sms_provider, "aakash")

    def test_settings_view_shows_the_choice_not_the_checkbox(self):
        arch = self.env["res.config.settings"].get_view(view_type="form")["arch"]
        self.assertIn("Configure Aakash SMS Providers", arch)
