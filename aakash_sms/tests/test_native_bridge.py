from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from odoo.addons.mail.models.mail_message import MailMessage
from odoo.addons.sms.tools.sms_api import SmsApi

from ..const import OUTCOMES
from ..tools.numbers import check_number
from ..tools.sms_api import SmsApiAakash
from .common import TOKEN, AakashSmsCase, role_user

TOKEN_B = "test-token-company-b-0c4d"


@tagged("post_install", "-at_install")
class TestNativeBridge(AakashSmsCase):
    """Odoo's own SMS features (sms module) sent through Aakash."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.aakash_sms_native = True
        nepal = cls.env.ref("base.np")
        cls.ram, cls.sita, cls.bad, cls.nobody = cls.env["res.partner"].create(
            [
                {"name": "Ram", "phone": "+977 981-2345678", "country_id": nepal.id},
                {"name": "Sita", "phone": "+977 984 111 2222", "country_id": nepal.id},
                {"name": "Landline", "phone": "+977 1-4412345", "country_id": nepal.id},
                {"name": "No Number", "country_id": nepal.id},
            ]
        )
        cls.template = cls.env["sms.template"].create(
            {
                "name": "Namaste",
                "model_id": cls.env["ir.model"]._get_id("res.partner"),
                "body": "Namaste {{ object.name }}",
            }
        )

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    def sent(self):
        """``[(number, text)]`` of every send request the sandbox received."""
        return sorted(
            (number, r.form["text"])
            for r in self.gateway.requests
            if r.path.endswith("/v3/send")
            for number in r.form["to"].split(",")
        )

    def notification(self, partner):
        return self.env["mail.notification"].search(
            [("notification_type", "=", "sms"), ("res_partner_id", "=", partner.id)],
            order="id desc",
            limit=1,
        )

    def sms_of(self, partner):
        return self.env["sms.sms"].search(
            [("partner_id", "=", partner.id)], order="id desc", limit=1
        )

    def native_log(self):
        return self.env["aakash.sms.message"].search(
            [("sms_uuid", "!=", False)], order="id"
        )

    def compose(self, partner, body):
        """The standard "Send SMS" of a contact (comment mode): a note with SMS
        notifications."""
        composer = Form(
            self.env["sms.composer"].with_context(
                active_model="res.partner", active_id=partner.id
            )
        )
        composer.body = body
        return composer.save().action_send_sms()

    def assertNotified(self, partner, status, failure_type=False, reason=None):
        notification = self.notification(partner)
        self.assertEqual(
            (notification.notification_status, notification.failure_type),
            (status, failure_type),
        )
        if reason is not None:
            self.assertIn(reason, notification.failure_reason or "")

    # ------------------------------------------------------------------
    # setting
    # ------------------------------------------------------------------
    def test_setting_switches_the_api_class(self):
        self.assertIs(self.company._get_sms_api_class(), SmsApiAakash)
        self.company.aakash_sms_native = False
        self.assertIs(
            self.company._get_sms_api_class(), SmsApi, "off: Odoo's own (IAP) service"
        )
        self.assertFalse(self.gateway.requests)

    # ------------------------------------------------------------------
    # the standard SMS composer, templates, server actions
    # ------------------------------------------------------------------
    def test_composer_single(self):
        messages_before = self.ram.message_ids
        self.compose(self.ram, "Namaste from Odoo's composer")
        self.assertFalse(
            self.gateway.requests, "never sent inside the user's transaction: queued"
        )
        self.assertEqual(self.sms_of(self.ram).state, "process")
        self.assertEqual(self.native_log().state, "pending")
        self.run_queue()
        self.assertEqual(self.sent(), [("9812345678", "Namaste from Odoo's composer")])
        self.assertNotified(self.ram, "pending")
        sms = self.sms_of(self.ram)
        self.assertEqual(
            (sms.state, sms.failure_type, sms.to_delete), ("pending", False, True)
        )
        log = self.native_log()
        self.assertRecordValues(
            log,
            [
                {
                    "state": "queued",
                    "number": "9812345678",
                    "number_raw": sms.number,
                    "res_model": "res.partner",
                    "res_id": self.ram.id,
                    "partner_id": self.ram.id,
                    "sms_uuid": sms.uuid,
                    "provider_id": self.provider.id,
                    "body": "Namaste from Odoo's composer",
                    "credits": 1,
                    "mail_message_id": False,
                }
            ],
        )
        self.assertTrue(log.gateway_id)
        new_messages = self.ram.message_ids - messages_before
        self.assertEqual(
            new_messages.mapped("message_type"),
            ["sms"],
            "Odoo's SMS message only, no Aakash note",
        )

    def test_composer_mass(self):
        partners = self.ram | self.sita | self.bad | self.nobody
        composer = (
            self.env["sms.composer"]
            .with_context(
                default_composition_mode="mass",
                default_res_model="res.partner",
                default_res_ids=repr(partners.ids),
                default_mass_force_send=True,
            )
            .create({"body": "Dashain sale"})
        )
        composer.action_send_sms()
        self.run_queue()
        self.assertEqual(
            self.sent(),
            [("9812345678", "Dashain sale"), ("9841112222", "Dashain sale")],
        )
        self.assertEqual(len(self.gateway.requests), 1, "one request for one text")
        states = {
            p.name: (self.sms_of(p).state, self.sms_of(p).failure_type)
            for p in partners
        }
        self.assertEqual(
            states,
            {
                "Ram": ("pending", False),
                "Sita": ("pending", False),
                "Landline": ("error", "sms_number_format"),
                # Odoo's own check, never sent
                "No Number": ("canceled", "sms_number_missing"),
            },
        )
        log = {
            m.partner_id.name: (m.state, m.res_model, m.res_id)
            for m in self.native_log()
        }
        self.assertEqual(
            log,
            {
                "Ram": ("queued", "res.partner", self.ram.id),
                "Sita": ("queued", "res.partner", self.sita.id),
                "Landline": ("rejected", "res.partner", self.bad.id),
            },
        )
        self.assertIn(
            "landline",
            self.native_log().filtered(lambda m: m.partner_id == self.bad).reason,
        )

    def test_template(self):
        """An sms.template sent the way other apps do (stock, sale...)."""
        self.ram._message_sms_with_template(template=self.template)
        self.run_queue()
        self.assertEqual(self.sent(), [("9812345678", "Namaste Ram")])
        self.assertNotified(self.ram, "pending")
        # and from the composer with the template, in mass mode
        self.gateway.clear()
        composer = (
            self.env["sms.composer"]
            .with_context(
                default_composition_mode="mass",
                default_res_model="res.partner",
                default_res_ids=repr((self.ram | self.sita).ids),
                default_mass_force_send=True,
                default_template_id=self.template.id,
            )
            .create({})
        )
        composer.action_send_sms()
        self.run_queue()
        self.assertEqual(
            self.sent(), [("9812345678", "Namaste Ram"), ("9841112222", "Namaste Sita")]
        )
        self.assertEqual(
            len(self.gateway.requests),
            2,
            "a text per request: personalised texts cost one each",
        )
        self.assertEqual(self.native_log().mapped("state"), ["queued"] * 3)

    def test_names_with_placeholders_travel_as_text(self):
        """The bridge sends Odoo's SMS text as it is: never rendered again."""
        probe = "{{ object.env['res.partner'].sudo().create({'name': 'pwned'}) }}"
        hari, runner = self.env["res.partner"].create(
            [
                {"name": "Hari {{ 6 * 7 }}", "phone": "9812345678"},
                {"name": probe, "phone": "9841112222"},
            ]
        )
        for partner in hari | runner:
            partner._message_sms_with_template(template=self.template)
        self.run_queue()
        self.assertFalse(self.env["res.partner"].search([("name", "=", "pwned")]))
        self.assertEqual(
            self.sent(),
            [
                ("9812345678", "Namaste Hari {{ 6 * 7 }}"),
                ("9841112222", f"Namaste {probe}"),
            ],
        )

    def native_sms_action(self, method):
        """Odoo's own "Send SMS" server action on contacts, with the test template."""
        return self.env["ir.actions.server"].create(
            {
                "name": f"Native SMS ({method})",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "state": "sms",
                "sms_template_id": self.template.id,
                "sms_method": method,
            }
        )

    def test_server_action(self):
        action = self.native_sms_action("sms")
        action.with_context(
            active_model="res.partner", active_ids=(self.ram | self.sita | self.bad).ids
        ).run()
        self.assertFalse(self.gateway.requests, "queued: sent by Odoo's SMS queue")
        self.run_cron("sms.sms", "_process_queue")
        self.run_queue()
        self.assertEqual(
            self.sent(), [("9812345678", "Namaste Ram"), ("9841112222", "Namaste Sita")]
        )
        self.assertEqual(
            [
                (self.sms_of(p).state, self.sms_of(p).failure_type)
                for p in (self.ram, self.sita, self.bad)
            ],
            [("pending", False), ("pending", False), ("error", "sms_number_format")],
        )
        self.assertEqual(
            sorted(self.native_log().mapped("state")), ["queued", "queued", "rejected"]
        )

    def test_server_action_post_as_message(self):
        action = self.native_sms_action("comment")
        action.with_context(
            active_model="res.partner", active_id=self.sita.id, active_ids=self.sita.ids
        ).run()
        self.run_queue()
        self.assertEqual(self.sent(), [("9841112222", "Namaste Sita")])
        self.assertNotified(self.sita, "pending")

    def test_plain_employee(self):
        """Anyone may send Odoo's SMS: no Aakash group is needed."""
        employee = role_user(self.env, "contact_manager", "plain_employee")
        self.ram.with_user(employee)._message_sms("From an employee")
        self.run_queue()
        self.assertEqual(self.sent(), [("9812345678", "From an employee")])
        self.assertNotified(self.ram, "pending")
        self.assertEqual(self.native_log().user_id, employee)

    def test_same_number_twice_is_sent_once(self):
        twin = self.env["res.partner"].create(
            {"name": "Ram's twin", "phone": "9812345678"}
        )
        self.ram._message_sms("Once", partner_ids=(self.ram | twin).ids)
        self.run_queue()
        self.assertEqual(self.sent(), [("9812345678", "Once")])
        notifications = self.notification(self.ram) | self.notification(twin)
        self.assertEqual(
            sorted(notifications.mapped("notification_status")),
            ["exception", "pending"],
        )
        duplicate = notifications.filtered(
            lambda n: n.notification_status == "exception"
        )
        self.assertEqual(
            duplicate.failure_type, "unknown", "as Odoo's IAP for a duplicate"
        )
        self.assertIn("number was already used", duplicate.failure_reason)
        self.assertEqual(
            sorted(self.native_log().mapped("state")), ["queued", "rejected"]
        )

    # ------------------------------------------------------------------
    # failures
    # ------------------------------------------------------------------
    def test_wrong_number(self):
        self.compose(self.bad, "To a landline")
        self.run_queue()
        self.assertFalse(self.gateway.requests)
        self.assertNotified(self.bad, "exception", "sms_number_format", "landline")
        self.assertEqual(
            (self.sms_of(self.bad).state, self.sms_of(self.bad).failure_type),
            ("error", "sms_number_format"),
        )
        self.assertRecordValues(
            self.native_log(), [{"state": "rejected", "number": False}]
        )

    def test_bad_token(self):
        self.provider.sudo().auth_token = "wrong"
        self.compose(self.ram, "x")
        self.run_queue()
        self.assertNotified(self.ram, "exception", "sms_acc", "Auth Token is not valid")
        self.assertEqual(self.sms_of(self.ram).state, "error")
        self.assertRecordValues(
            self.native_log(), [{"state": "failed", "gateway_status": "not sent"}]
        )

    def test_ip_not_allowed(self):
        self.gateway.ip_blocked.add(TOKEN)
        self.compose(self.ram, "x")
        self.run_queue()
        self.assertNotified(
            self.ram, "exception", "sms_acc", "IP address is not allowed"
        )

    def test_no_balance(self):
        self.gateway.credits[TOKEN] = 0
        self.compose(self.ram, "x")
        self.run_queue()
        self.assertNotified(self.ram, "exception", "sms_credit", "enough balance")
        self.assertEqual(self.native_log().state, "failed")

    def test_no_provider(self):
        self.provider.sudo().active = False
        self.compose(self.ram, "x")
        self.run_queue()
        self.assertFalse(self.gateway.requests)
        self.assertNotified(
            self.ram, "exception", "sms_acc", "No Aakash SMS provider is configured"
        )
        self.assertRecordValues(
            self.native_log(), [{"state": "failed", "provider_id": False}]
        )

    def test_gateway_html_page_may_have_sent(self):
        self.gateway.inject("html")
        self.compose(self.ram, "x")
        self.run_queue()
        self.assertEqual(len(self.gateway.requests), 1)
        self.assertNotified(self.ram, "exception", "sms_server", "May have been sent")
        self.assertEqual(
            (self.sms_of(self.ram).state, self.sms_of(self.ram).failure_type),
            ("error", "sms_server"),
        )
        self.assertEqual(self.native_log().state, "uncertain")

    def test_gateway_unreachable(self):
        self.provider.sudo().base_url = (
            "http://127.0.0.1:9/sms"  # discard port: connection refused
        )
        self.compose(self.ram, "x")
        self.run_queue()
        row = self.native_log()
        # provably not sent: retried
        self.assertRecordValues(row, [{"state": "pending", "attempt_count": 1}])
        self.assertNotified(self.ram, "process")
        for _attempt in range(4):
            row.sudo().next_attempt_date = fields.Datetime.now() - timedelta(minutes=1)
            self.run_queue()
        self.assertRecordValues(row, [{"state": "failed", "attempt_count": 5}])
        self.assertNotified(self.ram, "exception", "sms_server", "cannot be reached")
        self.assertEqual(self.sms_of(self.ram).state, "error")

    def test_text_too_long(self):
        self.compose(self.ram, "x" * 2000)
        self.run_queue()
        self.assertFalse(self.gateway.requests)
        self.assertNotified(self.ram, "exception", "sms_server", "too long")

    def test_every_outcome_reaches_odoos_sms(self):
        """Each way a row can end shows on Odoo's SMS as the README's table says."""
        expected = {  # error kind -> (sms state, failure type)
            None: ("pending", False),
            "no_number": ("error", "sms_number_missing"),
            "number": ("error", "sms_number_format"),
            "refused": ("error", "sms_number_format"),
            "opted_out": ("error", "sms_blacklist"),
            "duplicate": ("error", "unknown"),
            "text": ("error", "sms_server"),
            "document": ("error", "sms_server"),
            "no_provider": ("error", "sms_acc"),
            "auth": ("error", "sms_acc"),
            "ip": ("error", "sms_acc"),
            "balance": ("error", "sms_credit"),
            "budget": ("error", "sms_credit"),
            "validation": ("error", "sms_server"),
            "transport": ("error", "sms_server"),
            "throttled": ("error", "sms_server"),
            "not_sent": ("error", "sms_server"),
            "maybe_sent": ("error", "sms_server"),
        }
        self.assertEqual(
            set(expected) - {None}, set(OUTCOMES), "every outcome is covered here"
        )
        Message = self.env["aakash.sms.message"].sudo()
        for kind, (sms_state, failure_type) in expected.items():
            with self.subTest(kind=kind):
                sms = (
                    self.env["sms.sms"]
                    .sudo()
                    .create({"number": "9812345678", "body": kind or "ok"})
                )
                row = Message.create(
                    {
                        "number": "9812345678",
                        "body": sms.body,
                        "sms_uuid": sms.uuid,
                        "company_id": self.company.id,
                        "state": OUTCOMES[kind][0] if kind else "queued",
                        "error_kind": kind or False,
                        "reason": "why",
                    }
                )
                row._aakash_update_native_sms()
                self.assertEqual(
                    (sms.state, sms.failure_type), (sms_state, failure_type)
                )
                self.assertEqual(
                    sms.to_delete,
                    sms_state == "pending",
                    "errors stay for Odoo's Resend",
                )

    # ------------------------------------------------------------------
    # Odoo's clean-up (autovacuum) while the engine has not answered
    # ------------------------------------------------------------------
    def clean_up(self):
        """Odoo's daily clean-up of its SMS (autovacuum, raw SQL: it sees what was
        committed, here flushed), then fresh reads."""
        self.env.flush_all()
        self.env["sms.sms"]._gc_device()
        self.env.invalidate_all()

    def test_sms_user_failed_sms_outlives_odoos_clean_up_and_is_resent(self):
        """An SMS user's SMS that fails (no balance) is kept by Odoo's clean-up
        while it waits in the queue, then shows "Error" and is resent from there."""
        self.gateway.credits[TOKEN] = 0
        # Odoo's SMS composer on a list of contacts, sent at once
        self.env["sms.composer"].with_user(self.sms_user).with_context(
            default_composition_mode="mass",
            default_res_model="res.partner",
            default_res_ids=repr(self.ram.ids),
            default_mass_force_send=True,
        ).create({"body": "No balance yet"}).action_send_sms()
        sms = self.sms_of(self.ram)
        self.assertEqual(sms.state, "process")
        self.clean_up()
        self.assertTrue(sms.exists(), "kept while the Aakash queue has it")
        self.run_queue()
        self.assertRecordValues(
            sms, [{"state": "error", "failure_type": "sms_credit", "to_delete": False}]
        )
        self.clean_up()
        self.assertTrue(sms.exists(), "an error stays for Odoo's Resend")
        self.gateway.clear()
        self.gateway.credits[TOKEN] = 1000
        sms.resend_failed()
        self.run_queue()
        self.assertEqual(self.sent(), [("9812345678", "No balance yet")])
        self.assertRecordValues(sms, [{"state": "pending", "to_delete": True}])
        self.assertEqual(self.native_log().mapped("state"), ["failed", "queued"])
        self.clean_up()
        self.assertFalse(sms.exists(), "once sent, Odoo's own rules: cleaned up")

    def test_employee_queued_sms_outlives_odoos_clean_up(self):
        """An employee's SMS put in Odoo's queue: Odoo's cron hands it to Aakash,
        the clean-up runs, the token is refused: the SMS is there, in error."""
        employee = role_user(self.env, "contact_manager", "queued_employee")
        self.provider.sudo().auth_token = "wrong"
        self.sita.with_user(employee)._message_sms("Queued first", put_in_queue=True)
        sms = self.sms_of(self.sita)
        self.assertEqual(sms.state, "outgoing")
        self.run_cron("sms.sms", "_process_queue")
        self.assertEqual(sms.state, "process")
        self.clean_up()
        self.assertTrue(sms.exists(), "kept while the Aakash queue has it")
        self.run_queue()
        self.assertRecordValues(
            sms, [{"state": "error", "failure_type": "sms_acc", "to_delete": False}]
        )
        self.assertNotified(self.sita, "exception", "sms_acc")

    def test_sent_sms_is_cleaned_up_as_odoo_does(self):
        """Once Aakash accepted it, Odoo's own rules apply: the clean-up removes it."""
        self.compose(self.ram, "Sent and gone")
        sms = self.sms_of(self.ram)
        self.clean_up()
        self.assertTrue(sms.exists())
        self.run_queue()
        self.assertEqual(self.sent(), [("9812345678", "Sent and gone")])
        self.clean_up()
        self.assertFalse(sms.exists())
        self.assertNotified(self.ram, "pending")

    # ------------------------------------------------------------------
    # resending
    # ------------------------------------------------------------------
    def test_resend_failed_but_not_maybe_sent(self):
        self.provider.sudo().auth_token = "wrong"
        self.compose(self.ram, "failed first")
        self.run_queue()
        self.provider.sudo().auth_token = TOKEN
        self.gateway.inject("html")
        self.compose(self.sita, "maybe sent")
        self.run_queue()
        self.gateway.clear()
        failed, maybe_sent = self.sms_of(self.ram), self.sms_of(self.sita)
        self.assertEqual((failed | maybe_sent).mapped("state"), ["error", "error"])
        action = (failed | maybe_sent).resend_failed()
        self.run_queue()
        self.assertEqual(
            self.sent(),
            [("9812345678", "failed first")],
            "only the SMS that provably failed",
        )
        self.assertIn("1 SMS were not resent", action["params"]["message"])
        self.assertNotified(self.ram, "pending")
        self.assertEqual(maybe_sent.state, "error")
        with self.assertRaises(UserError):
            # resent from Odoo's SMS, not from the Aakash log
            self.native_log().action_resend()

    # ------------------------------------------------------------------
    # delivery reports
    # ------------------------------------------------------------------
    def test_delivery_report_updates_native_tracker(self):
        self.compose(self.ram, "tracked")
        self.run_queue()
        self.compose(self.sita, "tracked")
        self.run_queue()
        ram_log, sita_log = self.native_log()
        self.gateway.set_status(int(ram_log.gateway_id), "delivered")
        self.gateway.set_status(int(sita_log.gateway_id), "failed")
        self.run_cron("aakash.sms.message", "_cron_sync_reports")
        self.assertEqual((ram_log.state, sita_log.state), ("delivered", "undelivered"))
        self.assertNotified(self.ram, "sent")
        self.assertNotified(self.sita, "exception", "sms_not_delivered", "failed")
        # a later report changes nothing more
        self.assertEqual(
            ram_log._aakash_update_native_trackers().sms_uuid, ram_log.sms_uuid
        )
        self.assertNotified(self.ram, "sent")

    def test_each_outcome_updates_the_chatter_once(self):
        """The web client hears once of each notification's new state, as Odoo's own
        ``_send_with_api`` tells it: the outcome of each SMS sent from a chatter, once
        (it was twice: by the trackers and again for the batch), of each delivery
        report once, and nothing of a mass send's notes, whose SMS have no
        notification (it was a live-update payload per note and listener, most of
        the bridge's cost in a large send)."""
        # Odoo's own method: what reaches it is sent to the web client
        Message = MailMessage
        notify = Message._notify_message_notification_update
        updated = []

        def count(messages):
            updated.extend(messages.ids)
            return notify(messages)

        with patch.object(Message, "_notify_message_notification_update", count):
            for partner in self.ram | self.sita | self.bad:
                self.compose(partner, "Tihar offers")
        messages = (self.ram | self.sita | self.bad).message_ids.filtered(
            lambda m: m.message_type == "sms"
        )
        self.assertEqual(len(messages), 3)
        self.assertEqual(sorted(updated), sorted(messages.ids), "queued, or refused")
        updated.clear()
        with patch.object(Message, "_notify_message_notification_update", count):
            self.run_queue()
        sent_messages = (self.sms_of(self.ram) | self.sms_of(self.sita)).mail_message_id
        self.assertEqual(len(sent_messages), 2)
        self.assertEqual(sorted(updated), sorted(sent_messages.ids))
        self.assertNotified(self.ram, "pending")
        ram_log, sita_log = self.native_log().filtered(lambda m: m.state == "queued")
        self.gateway.set_status(int(ram_log.gateway_id), "delivered")
        self.gateway.set_status(int(sita_log.gateway_id), "failed")
        updated.clear()
        with patch.object(Message, "_notify_message_notification_update", count):
            self.run_cron("aakash.sms.message", "_cron_sync_reports")
        self.assertEqual(sorted(updated), sorted(sent_messages.ids))
        self.assertNotified(self.ram, "sent")
        self.assertNotified(self.sita, "exception", "sms_not_delivered", "failed")
        # a mass send's notes: no notification, nothing to tell
        self.env["sms.composer"].with_context(
            default_composition_mode="mass",
            default_res_model="res.partner",
            default_res_ids=repr((self.ram | self.sita).ids),
        ).create({"body": "Tihar offers"}).action_send_sms()
        updated.clear()
        with patch.object(Message, "_notify_message_notification_update", count):
            self.env["sms.sms"].search([("state", "=", "outgoing")])._send()
            self.run_queue()
        self.assertEqual(self.native_log()[-2:].mapped("state"), ["queued", "queued"])
        self.assertEqual(updated, [])

    def test_delivery_report_expired(self):
        self.compose(self.ram, "tracked")
        self.run_queue()
        self.gateway.set_status(int(self.native_log().gateway_id), "expired")
        self.run_cron("aakash.sms.message", "_cron_sync_reports")
        self.assertNotified(self.ram, "exception", "sms_expired", "expired")

    # ------------------------------------------------------------------
    # several companies
    # ------------------------------------------------------------------
    def queue_odoo_sms(self, partners, body):
        """Queue Odoo's SMS to ``partners``, each its own company's SMS.

        Odoo's mass SMS composer gives its SMS the record's company only with
        sms_twilio installed (it adds ``record_company_id`` to ``sms.sms``); without
        it, Odoo sends them as the sender's company. A chatter SMS (``message_post``)
        carries the record's company in both cases.
        """
        if "record_company_id" in self.env["sms.sms"]._fields:
            self.env["sms.composer"].with_context(
                default_composition_mode="mass",
                default_res_model="res.partner",
                default_res_ids=repr(partners.ids),
            ).create({"body": body}).action_send_sms()
        else:
            for partner in partners:
                partner._message_sms(body, put_in_queue=True)

    def test_each_company_its_own_service(self):
        company_b, company_iap = self.env["res.company"].create(
            [
                {"name": "Pokhara Branch", "aakash_sms_native": True},
                {"name": "Odoo IAP Co"},
            ]
        )
        self.env["aakash.sms.provider"].sudo().create(
            {
                "name": "Pokhara",
                "company_id": company_b.id,
                "auth_token": TOKEN_B,
                "base_url": self.gateway.base_url,
                "timeout": 2,
                "is_default": True,
            }
        )
        self.gateway.credits[TOKEN_B] = 50
        # Nepali customers, like the class's: with phonenumbers (Odoo's images, hosted
        # Odoo), Odoo formats a national number by the partner's country, else the
        # sending company's (not Nepal here)
        nepal = self.env.ref("base.np").id
        hari, gita = self.env["res.partner"].create(
            [
                {
                    "name": "Hari",
                    "phone": "9801234567",
                    "company_id": company_b.id,
                    "country_id": nepal,
                },
                {
                    "name": "Gita",
                    "phone": "9861234567",
                    "company_id": company_iap.id,
                    "country_id": nepal,
                },
            ]
        )
        iap_calls = []

        def fake_iap(api, messages, delivery_reports_url=False):
            iap_calls.append(messages)
            return [
                {"uuid": n["uuid"], "state": "success"}
                for m in messages
                for n in m["numbers"]
            ]

        # queued: sent by the cron, in the main company's environment
        self.queue_odoo_sms(self.ram | hari | gita, "Three companies")
        self.run_queue()
        with patch.object(
            SmsApi, "_send_sms_batch", autospec=True, side_effect=fake_iap
        ):
            self.run_cron("sms.sms", "_process_queue")
            self.run_queue()
        tokens = {r.form["to"]: r.form["auth_token"] for r in self.gateway.requests}
        self.assertEqual(tokens, {"9812345678": TOKEN, "9801234567": TOKEN_B})
        self.assertEqual(
            [
                check_number(n["number"]).number
                for call in iap_calls
                for m in call
                for n in m["numbers"]
            ],
            ["9861234567"],
        )
        self.assertEqual(self.native_log().company_id, self.company | company_b)
        # a batch of the other company only, sent by the queue from the main company
        self.gateway.clear()
        self.queue_odoo_sms(hari, "Pokhara only")
        self.run_queue()
        self.run_cron("sms.sms", "_process_queue")
        self.run_queue()
        self.assertEqual(
            [(r.form["to"], r.form["auth_token"]) for r in self.gateway.requests],
            [("9801234567", TOKEN_B)],
        )
