from unittest.mock import patch

from odoo.tests import tagged

from odoo.addons.aakash_sms.tests.common import AakashSmsCase
from odoo.addons.sms.tools.sms_api import SmsApi
from odoo.addons.sms_twilio.tools.sms_api import SmsApiTwilio


@tagged("post_install", "-at_install")
class TestForeignNumbersTwilio(AakashSmsCase):
    """Aakash chosen as the SMS service, Twilio set up: numbers outside Nepal go
    through Twilio when routed (through Odoo's IAP when Twilio is not set up)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {"sms_provider": "aakash", "aakash_sms_foreign_numbers": "route"}
        )
        cls.priya = cls.env["res.partner"].create(
            {
                "name": "Priya",
                "phone": "+91 98765 43210",
                "country_id": cls.env.ref("base.in").id,
            }
        )

    def send(self):
        self.priya._message_sms("Namaste", put_in_queue=True)
        self.run_cron("sms.sms", "_process_queue")

    def test_twilio_carries_them_when_set_up(self):
        self.company.sudo().write(
            {
                "sms_twilio_account_sid": "AC" + "0" * 32,
                "sms_twilio_auth_token": "t" * 32,
            }
        )
        calls = []

        def fake_twilio(api, messages, delivery_reports_url=False):
            calls.append((api.company, messages))
            return [
                {"uuid": n["uuid"], "state": "sent", "sms_twilio_sid": "SM1"}
                for m in messages
                for n in m["numbers"]
            ]

        with (
            patch.object(
                SmsApiTwilio, "_send_sms_batch", autospec=True, side_effect=fake_twilio
            ),
            patch.object(SmsApi, "_send_sms_batch", autospec=True) as iap,
        ):
            self.send()
        self.assertEqual(len(calls), 1)
        self.assertEqual(calls[0][0], self.company)
        self.assertFalse(iap.called)
        self.assertFalse(self.gateway.requests, "not through Aakash")
        log = self.env["aakash.sms.message"].search(
            [("partner_id", "=", self.priya.id)]
        )
        self.assertEqual((log.gateway, log.state), ("twilio", "queued"))

    def test_iap_carries_them_without_twilio(self):
        with patch.object(
            SmsApi,
            "_send_sms_batch",
            autospec=True,
            side_effect=lambda api, messages, delivery_reports_url=False: [
                {"uuid": n["uuid"], "state": "success"}
                for m in messages
                for n in m["numbers"]
            ],
        ) as iap:
            self.send()
        self.assertTrue(iap.called)
        log = self.env["aakash.sms.message"].search(
            [("partner_id", "=", self.priya.id)]
        )
        self.assertEqual((log.gateway, log.state), ("iap", "queued"))
