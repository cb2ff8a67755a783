"""Bikram Sambat dates, Devanagari digits and Nepali grouping in SMS texts: the
helpers of every template (``format_bs_date``, ``ne_digits``, ``format_npr``), as the
people who send use them, and what happens on an Odoo without the calendar library."""

import sys
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..tools.nepali_dates import LIBRARY_MODULE
from .common import AakashSmsCase, load_nepali

DUE = (
    "Namaste {{ object.name }}: {{ format_npr(123456.5, 'ne') }} "
    "{{ format_bs_date('2025-12-03', 'ne') }} भित्र, {{ ne_digits(42) }}"
)
DUE_SENT = "Namaste Sita: रु. १,२३,४५६.५० १७ मंसिर २०८२ भित्र, ४२"


@tagged("post_install", "-at_install")
class TestNepaliTexts(AakashSmsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sita, cls.ram = cls.contacts(("Sita", "9812345678"), ("Ram", "9841112222"))

    def template(self, body):
        return self.env["sms.template"].create(
            {
                "name": "Due",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "body": body,
            }
        )

    def sent_texts(self):
        return [
            r.form["text"] for r in self.gateway.requests if r.path.endswith("/send")
        ]

    def render(self, body, records, engine="inline_template"):
        return self.env["mail.render.mixin"]._render_template(
            body, records._name, records.ids, engine=engine
        )

    def test_an_sms_user_sends_a_template_with_a_bs_date_and_nepali_rupees(self):
        composer = self.open_composer(self.sita, user=self.sms_user)
        composer.template_id = self.template(DUE)
        self.assertEqual(composer.body, DUE_SENT)
        composer.save().action_send()
        self.assertEqual(self.sent_texts(), [DUE_SENT])

    def test_a_template_for_many_customers_fills_in_each_ones_text(self):
        composer = self.open_composer(self.sita | self.ram, user=self.sms_user)
        composer.template_id = self.template(DUE)
        self.assertEqual(composer.preview_body, DUE_SENT)
        self.assertFalse(composer.send_blocker)

    def test_inline_and_qweb_templates_have_the_same_helpers(self):
        inline = self.render("{{ format_bs_date('2025-04-14') }}", self.sita)
        qweb = self.render(
            "<t t-out=\"format_bs_date('2025-04-14', 'ne')\"/>", self.sita, "qweb"
        )
        self.assertEqual(inline[self.sita.id], "1 Baishakh 2082")
        self.assertEqual(str(qweb[self.sita.id]), "१ वैशाख २०८२")

    def test_a_date_outside_the_calendar_says_which_dates_it_covers(self):
        composer = self.open_composer(self.sita | self.ram, user=self.sms_user)
        composer.template_id = self.template(
            "Namaste {{ object.name }} {{ format_bs_date('1900-01-01') }}"
        )
        self.assertEqual(
            composer.send_blocker,
            "The placeholders cannot be filled in: The date 1900-01-01 cannot be "
            "written in Bikram Sambat: the calendar covers 1918-04-13 to 2044-04-12.",
        )
        with self.assertRaisesRegex(UserError, "^The date 1900-01-01 cannot be"):
            self.render("{{ format_bs_date('1900-01-01') }}", self.sita)

    def test_the_error_is_in_the_users_language(self):
        load_nepali(self.env)
        self.sms_user.lang = "ne_NP"
        # as in the user's requests: their language in the context
        mixin = self.env(user=self.sms_user, context={"lang": "ne_NP"})[
            "mail.render.mixin"
        ]
        with self.assertRaises(UserError) as caught:
            mixin.sudo()._render_template(
                "{{ format_bs_date('1900-01-01') }}", "res.partner", self.sita.ids
            )
        self.assertIn("विक्रम सम्वत्", str(caught.exception))

    def test_without_the_library_only_bs_dates_fail_and_they_say_what_to_install(self):
        with patch.dict(sys.modules, {LIBRARY_MODULE: None}):
            with self.assertRaises(UserError) as caught:
                self.render("{{ format_bs_date('2025-04-14') }}", self.sita)
            self.assertIn("pip install nepali-datetime", str(caught.exception))
            # the other helpers, other templates and sends are untouched
            self.assertEqual(
                self.render(
                    "{{ object.name }} {{ ne_digits(42) }} {{ format_npr(1500) }}",
                    self.sita,
                )[self.sita.id],
                "Sita ४२ Rs. 1,500.00",
            )
            composer = self.open_composer(self.sita, user=self.sms_user)
            composer.body = "Namaste"
            composer.save().action_send()
        self.assertEqual(self.sent_texts(), ["Namaste"])
