from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import Form, tagged

from odoo.addons.sms.tools.sms_api import SmsApi

from .common import AakashSmsCase, role_user
from .test_scheduled_send import clock
from .test_sending_hours import local_to_utc


@tagged("post_install", "-at_install")
class TestForeignNumbers(AakashSmsCase):
    """With Odoo's SMS sent through Aakash, numbers outside Nepal are refused
    ("reject", the default) or sent through the service Odoo would use without the
    bridge ("route"), each recorded with the gateway that carried it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.aakash_sms_native = True
        cls.ram, cls.priya, cls.john = cls.env["res.partner"].create(
            [
                {
                    "name": "Ram",
                    "phone": "+977 981-2345678",
                    "country_id": cls.env.ref("base.np").id,
                },
                {
                    "name": "Priya",
                    "phone": "+91 98765 43210",
                    "country_id": cls.env.ref("base.in").id,
                },
                {
                    "name": "John",
                    "phone": "+1 415 555 0132",
                    "country_id": cls.env.ref("base.us").id,
                },
            ]
        )
        # an employee who may edit contacts, so post on them: Odoo's own "Send SMS"
        cls.seller = role_user(cls.env, "contact_manager", "foreign_seller")

    def setUp(self):
        super().setUp()
        self.iap_calls = []
        self.iap_state = "success"

        def fake_iap(api, messages, delivery_reports_url=False):
            self.iap_calls.append(messages)
            if self.iap_state == "raise":
                raise ConnectionError("read timed out")
            return [
                {"uuid": n["uuid"], "state": self.iap_state}
                for m in messages
                for n in m["numbers"]
            ]

        patcher = patch.object(
            SmsApi, "_send_sms_batch", autospec=True, side_effect=fake_iap
        )
        patcher.start()
        self.addCleanup(patcher.stop)

    def iap_numbers(self):
        return sorted(
            n["number"] for call in self.iap_calls for m in call for n in m["numbers"]
        )

    def aakash_numbers(self):
        return sorted(
            number
            for r in self.gateway.requests
            if r.path.endswith("/v3/send")
            for number in r.form["to"].split(",")
        )

    def compose_mass(self, partners, body, user=None):
        env = self.env(user=user) if user else self.env
        env["sms.composer"].with_context(
            default_composition_mode="mass",
            default_res_model="res.partner",
            default_res_ids=repr(partners.ids),
        ).create({"body": body}).action_send_sms()

    def send_odoo_sms(self, partners, body, user=None):
        """Odoo's own "Send SMS" on each contact (a chatter SMS), as ``user``."""
        for partner in partners:
            env = self.env(user=user) if user else self.env
            composer = Form(
                env["sms.composer"].with_context(
                    active_model="res.partner", active_id=partner.id
                )
            )
            composer.body = body
            composer.save().action_send_sms()
        self.run_queue()
        self.run_cron("sms.sms", "_process_queue")
        self.run_queue()

    def log_of(self, partner):
        return self.env["aakash.sms.message"].search(
            [("partner_id", "=", partner.id)], order="id desc", limit=1
        )

    def test_reject_is_the_default_and_says_why(self):
        self.assertEqual(self.company.aakash_sms_foreign_numbers, "reject")
        self.send_odoo_sms(self.ram | self.priya, "Namaste")
        self.assertEqual(self.aakash_numbers(), ["9812345678"])
        self.assertFalse(self.iap_calls, "nothing through Odoo's IAP")
        notification = self.env["mail.notification"].search(
            [("res_partner_id", "=", self.priya.id), ("notification_type", "=", "sms")]
        )
        self.assertEqual(notification.notification_status, "exception")
        self.assertIn("Nepali", notification.failure_reason or "")
        self.assertEqual(self.log_of(self.priya).state, "rejected")

    def test_route_sends_foreign_numbers_through_odoos_service(self):
        self.company.aakash_sms_foreign_numbers = "route"
        self.send_odoo_sms(self.ram | self.priya | self.john, "Namaste", self.seller)
        self.assertEqual(self.aakash_numbers(), ["9812345678"], "Nepal: Aakash")
        self.assertEqual(
            self.iap_numbers(),
            sorted([self.priya.phone_sanitized, self.john.phone_sanitized]),
            "the others: Odoo's own service, once each",
        )
        for partner, gateway in (
            (self.ram, "aakash"),
            (self.priya, "iap"),
            (self.john, "iap"),
        ):
            log = self.log_of(partner)
            self.assertRecordValues(
                log,
                [
                    {
                        "gateway": gateway,
                        "state": "queued",
                        "res_model": "res.partner",
                        "res_id": partner.id,
                        "user_id": self.seller.id,
                    }
                ],
            )
        self.assertFalse(self.log_of(self.priya).provider_id)
        notification = self.env["mail.notification"].search(
            [("res_partner_id", "=", self.priya.id), ("notification_type", "=", "sms")]
        )
        self.assertEqual(notification.notification_status, "pending")
        # run again: nothing more goes anywhere
        self.run_cron("sms.sms", "_process_queue")
        self.run_queue()
        self.assertEqual(len(self.iap_numbers()), 2)
        self.assertEqual(len(self.aakash_numbers()), 1)

    def test_route_in_one_mass_batch(self):
        """Odoo's mass composer: one batch of the queue holds both kinds."""
        self.company.aakash_sms_foreign_numbers = "route"
        self.compose_mass(self.ram | self.priya, "Sale today")
        self.run_cron("sms.sms", "_process_queue")
        self.run_queue()
        self.assertEqual(self.aakash_numbers(), ["9812345678"])
        self.assertEqual(self.iap_numbers(), [self.priya.phone_sanitized])
        self.assertEqual(self.log_of(self.priya).gateway, "iap")

    def test_routed_failure_is_recorded_with_its_reason(self):
        self.company.aakash_sms_foreign_numbers = "route"
        self.iap_state = "insufficient_credit"
        self.send_odoo_sms(self.priya, "Namaste")
        log = self.log_of(self.priya)
        self.assertEqual((log.gateway, log.state), ("iap", "failed"))
        self.assertIn("Odoo IAP", log.reason_shown)

    def test_routed_exception_is_uncertain_and_not_resent(self):
        self.company.aakash_sms_foreign_numbers = "route"
        self.iap_state = "raise"
        self.send_odoo_sms(self.priya, "Namaste")
        self.run_cron("sms.sms", "_process_queue")
        self.assertEqual(len(self.iap_calls), 1)
        log = self.log_of(self.priya)
        self.assertEqual((log.gateway, log.state), ("iap", "uncertain"))
        sms = self.env["sms.sms"].search([("partner_id", "=", self.priya.id)])
        action = sms.resend_failed()
        self.assertEqual(len(self.iap_calls), 1, "Odoo's Resend leaves it out")
        self.assertIn("may already have sent", action["params"]["message"])

    def test_settings_say_the_choice(self):
        settings = Form(self.env["res.config.settings"])
        settings.aakash_sms_foreign_numbers = "route"
        settings.save().execute()
        self.assertEqual(self.company.aakash_sms_foreign_numbers, "route")

    # ------------------------------------------------------------------
    # the Aakash wizard
    # ------------------------------------------------------------------
    def wizard_send(self, partners, body, user=None):
        composer = self.open_composer(partners, user=user)
        composer.body = body
        wizard = composer.save()
        lines = {line.partner_id: line for line in wizard.line_ids}
        wizard.action_send()
        self.run_queue()
        self.run_cron("sms.sms", "_process_queue")
        return lines

    def test_wizard_refuses_foreign_numbers_without_routing(self):
        lines = self.wizard_send(self.ram | self.priya, "Namaste", self.sms_user)
        self.assertFalse(lines[self.priya].valid)
        self.assertIn("not a Nepali number", lines[self.priya].reason)
        self.assertEqual(self.aakash_numbers(), ["9812345678"])
        self.assertFalse(self.iap_calls)
        self.assertEqual(self.log_of(self.priya).state, "rejected")

    def test_wizard_routes_foreign_numbers_when_on(self):
        self.company.aakash_sms_foreign_numbers = "route"
        lines = self.wizard_send(self.ram | self.priya, "Namaste", self.sms_user)
        self.assertTrue(lines[self.priya].valid)
        self.assertIn("Odoo IAP", lines[self.priya].reason)
        self.assertEqual(self.aakash_numbers(), ["9812345678"])
        self.assertEqual(self.iap_numbers(), [self.priya.phone_sanitized])
        log = self.log_of(self.priya)
        self.assertRecordValues(
            log,
            [
                {
                    "gateway": "iap",
                    "state": "queued",
                    "res_model": "res.partner",
                    "res_id": self.priya.id,
                    "user_id": self.sms_user.id,
                    "body": "Namaste",
                }
            ],
        )
        rows = self.env["aakash.sms.message"].search(
            [("partner_id", "=", self.priya.id)]
        )
        self.assertEqual(
            len(rows),
            1,
            "one row for the SMS: written by the gateway that carried it",
        )
        # nothing goes twice
        self.run_cron("sms.sms", "_process_queue")
        self.run_queue()
        self.assertEqual(len(self.iap_calls), 1)

    def test_wizard_one_foreign_recipient_says_where_it_went(self):
        self.company.aakash_sms_foreign_numbers = "route"
        composer = self.open_composer(self.priya, user=self.sms_user)
        composer.body = "Your order is ready"
        action = composer.save().action_send()
        self.assertIn("Odoo", str(action.get("params", {}).get("message")))
        self.run_cron("sms.sms", "_process_queue")
        self.assertEqual(self.iap_numbers(), [self.priya.phone_sanitized])
        self.assertFalse(self.gateway.requests)

    def test_wizard_honours_the_blacklist_for_routed_numbers(self):
        self.company.aakash_sms_foreign_numbers = "route"
        self.env["phone.blacklist"].sudo().add("+919876543210")
        lines = self.wizard_send(self.ram | self.priya, "Sale", self.sms_user)
        self.assertFalse(lines[self.priya].valid)
        self.assertFalse(self.iap_calls)
        self.assertEqual(self.log_of(self.priya).state, "rejected")
        self.assertEqual(self.log_of(self.priya).error_kind, "opted_out")

    def test_a_routed_sms_with_a_log_row_already_is_not_sent_again(self):
        """Its log row cannot be written (the SMS has a live row already): the
        sending stands, Odoo's SMS is not put back in its queue."""
        self.company.aakash_sms_foreign_numbers = "route"
        self.priya._message_sms("Namaste", put_in_queue=True)
        sms = self.env["sms.sms"].search([("partner_id", "=", self.priya.id)])
        self.env["aakash.sms.message"].sudo().create(
            {
                "body": "Namaste",
                "number_raw": sms.number,
                "sms_uuid": sms.uuid,
                "state": "queued",
                "company_id": self.company.id,
            }
        )
        self.run_cron("sms.sms", "_process_queue")
        self.run_cron("sms.sms", "_process_queue")
        self.assertEqual(len(self.iap_calls), 1)
        self.assertEqual(sms.state, "pending")

    # ------------------------------------------------------------------
    # routed numbers wait as Aakash's do: Send At, sending hours
    # ------------------------------------------------------------------
    def schedule_send(self, partners, at, body="Namaste", user=None):
        composer = self.open_composer(partners, user=user or self.sms_user)
        composer.body = body
        if at:
            composer.scheduled_date = at
        wizard = composer.save()
        action = wizard.action_send()
        self.run_queue()
        self.run_cron("sms.sms", "_process_queue")
        return action

    def odoo_sms_of(self, partner):
        return self.env["sms.sms"].sudo().search([("partner_id", "=", partner.id)])

    def test_a_scheduled_send_holds_its_numbers_outside_nepal_until_due(self):
        self.company.aakash_sms_foreign_numbers = "route"
        tomorrow = fields.Datetime.now() + timedelta(days=1)
        self.schedule_send(self.ram | self.priya, tomorrow)
        self.assertFalse(self.iap_calls, "not before Send At")
        self.assertFalse(self.odoo_sms_of(self.priya), "not even in Odoo's queue")
        waiting = self.log_of(self.priya)
        self.assertRecordValues(
            waiting,
            [
                {
                    "state": "pending",
                    "gateway": "iap",
                    "next_attempt_date": tomorrow,
                    "user_id": self.sms_user.id,
                }
            ],
        )
        self.assertEqual(self.log_of(self.ram).state, "pending")
        with clock(tomorrow + timedelta(minutes=1)):
            self.run_queue()
            self.run_cron("sms.sms", "_process_queue")
            self.run_queue()
            self.run_cron("sms.sms", "_process_queue")
        self.assertEqual(self.aakash_numbers(), ["9812345678"])
        self.assertEqual(
            self.iap_numbers(), [self.priya.phone_sanitized], "once, when due"
        )
        rows = self.env["aakash.sms.message"].search(
            [("partner_id", "=", self.priya.id)]
        )
        self.assertRecordValues(
            rows,
            [
                {
                    "state": "queued",
                    "gateway": "iap",
                    "user_id": self.sms_user.id,
                    "body": "Namaste",
                }
            ],
        )
        message = self.env["mail.message"].search(
            [
                ("model", "=", "res.partner"),
                ("res_id", "=", self.priya.id),
                ("message_type", "=", "sms"),
            ]
        )
        self.assertEqual(
            message.author_id, self.sms_user.partner_id, "the sender's SMS"
        )

    def test_canceling_a_scheduled_send_cancels_its_numbers_outside_nepal(self):
        self.company.aakash_sms_foreign_numbers = "route"
        tomorrow = fields.Datetime.now() + timedelta(days=1)
        self.schedule_send(self.ram | self.priya, tomorrow)
        self.log_of(self.priya).with_user(self.sms_user).action_cancel_scheduled()
        self.assertEqual(self.log_of(self.priya).state, "canceled")
        with clock(tomorrow + timedelta(minutes=1)):
            self.run_queue()
            self.run_cron("sms.sms", "_process_queue")
        self.assertFalse(self.iap_calls)
        self.assertFalse(self.gateway.messages)

    def test_numbers_outside_nepal_wait_for_the_sending_window(self):
        self.company.write(
            {
                "aakash_sms_foreign_numbers": "route",
                "aakash_sms_quiet_hours": True,
                "aakash_sms_window_start": 8.0,
                "aakash_sms_window_end": 20.0,
            }
        )
        day = fields.Date.today() + timedelta(days=1)
        night = local_to_utc(self.company, day, 22)
        opening = local_to_utc(self.company, day + timedelta(days=1), 8)
        with clock(night):
            self.schedule_send(self.ram | self.priya | self.john, False)
        self.assertFalse(self.iap_calls, "no SMS at night, whatever the gateway")
        self.assertEqual(
            set(self.messages_of(self.priya | self.john).mapped("next_attempt_date")),
            {opening},
        )
        with clock(opening + timedelta(minutes=1)):
            self.run_queue()
            self.run_cron("sms.sms", "_process_queue")
        self.assertEqual(
            self.iap_numbers(),
            sorted([self.priya.phone_sanitized, self.john.phone_sanitized]),
        )
        self.assertEqual(self.aakash_numbers(), ["9812345678"])

    def test_a_number_blacklisted_while_it_waits_is_not_sent(self):
        self.company.aakash_sms_foreign_numbers = "route"
        tomorrow = fields.Datetime.now() + timedelta(days=1)
        self.schedule_send(self.priya | self.ram, tomorrow)
        self.env["phone.blacklist"].sudo().add("+919876543210")
        with clock(tomorrow + timedelta(minutes=1)):
            self.run_queue()
            self.run_cron("sms.sms", "_process_queue")
        self.assertFalse(self.iap_calls)
        self.assertRecordValues(
            self.log_of(self.priya), [{"state": "rejected", "error_kind": "opted_out"}]
        )

    def test_the_log_does_not_say_aakash_accepted_what_another_gateway_carried(self):
        self.company.aakash_sms_foreign_numbers = "route"
        self.wizard_send(self.ram | self.priya, "Namaste", self.sms_user)
        routed = self.log_of(self.priya)
        self.assertEqual((routed.gateway, routed.state), ("iap", "queued"))
        labels = dict(routed.fields_get(["state"])["state"]["selection"])
        self.assertNotIn("Aakash", labels[routed.state], "the row says Odoo IAP")
        # Aakash's own outcome, in its chatter note, still says who took it
        note = self.log_of(self.ram).mail_message_id
        self.assertIn("Accepted by Aakash", note.body)
