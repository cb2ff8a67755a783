from odoo.tests import Form, tagged

from odoo.addons.sms.tools.sms_api import SmsApi

from ..models.sms_api import SmsApiAakash
from .common import TOKEN, AakashSmsCase


@tagged("post_install", "-at_install")
class TestNativeBridge(AakashSmsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.aakash_sms_native = True
        nepal = cls.env.ref("base.np")
        cls.ram, cls.sita, cls.bad = cls.env["res.partner"].create([
            {"name": "Ram", "phone": "+977 981-2345678", "country_id": nepal.id},
            {"name": "Sita", "phone": "+977 984 111 2222", "country_id": nepal.id},
            {"name": "Landline", "phone": "+977 1-4412345", "country_id": nepal.id},
        ])

    def notifications(self, partners):
        return self.env["mail.notification"].search([
            ("notification_type", "=", "sms"), ("res_partner_id", "in", partners.ids)])

    def test_setting_switches_the_api_class(self):
        self.assertIs(self.company._get_sms_api_class(), SmsApiAakash)
        self.company.aakash_sms_native = False
        self.assertIs(self.company._get_sms_api_class(), SmsApi)
        self.assertFalse(self.gateway.requests)

    def test_twilio_and_aakash_are_exclusive(self):
        if "sms_provider" not in self.company._fields:
            self.skipTest("sms_twilio is not installed")
        self.company.sms_provider = "twilio"
        self.assertFalse(self.company.aakash_sms_native)
        self.company.aakash_sms_native = True
        self.assertEqual(self.company.sms_provider, "iap")
        self.assertIs(self.company._get_sms_api_class(), SmsApiAakash)

    def test_native_composer_single(self):
        composer = Form(self.env["sms.composer"].with_context(
            active_model="res.partner", active_id=self.ram.id, default_composition_mode="comment"))
        composer.body = "Namaste from Odoo's composer"
        composer.save().action_send_sms()
        self.assertEqual([(r.form["to"], r.form["text"]) for r in self.gateway.requests],
                         [("9812345678", "Namaste from Odoo's composer")])
        self.assertEqual(self.notifications(self.ram).notification_status, "pending")
        log = self.env["aakash.sms.message"].search([("sms_uuid", "!=", False)])
        self.assertRecordValues(log, [{"state": "queued", "number": "9812345678", "res_model": "res.partner",
                                       "res_id": self.ram.id, "partner_id": self.ram.id}])

    def test_native_composer_mass_and_wrong_number(self):
        partners = self.ram | self.sita | self.bad
        composer = self.env["sms.composer"].with_context(
            default_composition_mode="mass", default_res_model="res.partner",
            default_res_ids=repr(partners.ids), default_mass_force_send=True,
        ).create({"body": "Dashain sale"})
        composer.action_send_sms()
        self.assertEqual(sorted(self.gateway.sent_numbers()), ["9812345678", "9841112222"])
        self.assertEqual(len(self.gateway.requests), 1, "one request for one text")
        sms = self.env["sms.sms"].with_context(active_test=False).search([("partner_id", "=", self.bad.id)])
        self.assertEqual((sms.state, sms.failure_type), ("error", "sms_number_format"))
        states = {s.partner_id: s.state for s in self.env["aakash.sms.message"].search([("sms_uuid", "!=", False)])}
        self.assertEqual(states, {self.ram: "queued", self.sita: "queued", self.bad: "rejected"})

    def _send_to_ram(self, body="x"):
        composer = self.env["sms.composer"].with_context(
            default_composition_mode="mass", default_res_model="res.partner",
            default_res_ids=repr(self.ram.ids), default_mass_force_send=True,
        ).create({"body": body})
        composer.action_send_sms()
        return self.env["sms.sms"].with_context(active_test=False).search([("partner_id", "=", self.ram.id)])

    def test_failures_map_to_native_failure_types(self):
        self.provider.auth_token = "wrong"
        self.assertEqual(self._send_to_ram().failure_type, "sms_acc")
        self.provider.auth_token = TOKEN
        self.gateway.credits[TOKEN] = 0
        self.assertEqual(self._send_to_ram().sorted("id")[-1:].failure_type, "sms_credit")
        self.gateway.credits[TOKEN] = 100
        self.gateway.inject("500")
        self.assertEqual(self._send_to_ram().sorted("id")[-1:].failure_type, False,
                         "a reply that may hide a send is not an error: it stays processing")
        log = self.env["aakash.sms.message"].search([("sms_uuid", "!=", False)], order="id")
        self.assertEqual(log.mapped("state"), ["failed", "failed", "uncertain"])

    def test_native_server_action_and_template(self):
        template = self.env["sms.template"].create({
            "name": "Hello", "model_id": self.env["ir.model"]._get_id("res.partner"),
            "body": "Hello {{ object.name }}",
        })
        action = self.env["ir.actions.server"].create({
            "name": "Native SMS", "model_id": self.env["ir.model"]._get_id("res.partner"),
            "state": "sms", "sms_template_id": template.id, "sms_method": "sms",
        })
        action.with_context(active_model="res.partner", active_ids=(self.ram | self.sita).ids).run()
        self.run_cron("sms.sms", "_process_queue")
        self.assertEqual(sorted((r.form["to"], r.form["text"]) for r in self.gateway.requests),
                         [("9812345678", "Hello Ram"), ("9841112222", "Hello Sita")])

    def test_delivery_report_updates_native_tracker(self):
        composer = Form(self.env["sms.composer"].with_context(
            active_model="res.partner", active_id=self.ram.id, default_composition_mode="comment"))
        composer.body = "tracked"
        composer.save().action_send_sms()
        self.assertEqual(self.notifications(self.ram).notification_status, "pending")
        log = self.env["aakash.sms.message"].search([("sms_uuid", "!=", False)])
        self.gateway.set_status(int(log.gateway_id), "delivered")
        self.run_cron("aakash.sms.message", "_cron_sync_reports")
        self.assertEqual(log.state, "delivered")
        self.assertEqual(self.notifications(self.ram).notification_status, "sent")
