"""The opt-out link of bulk sends: off by default, one link per recipient counted in
the preview, never on transactional texts; the public page where a customer (no login,
or a portal user) puts their number on Odoo's phone blacklist, and nobody else's."""

from odoo.tests import tagged

from ..models.aakash_sms_opt_out import ROUTE
from .common import AakashSmsCase, AakashSmsHttpCase, load_nepali, role_user


class OptOutMixin:
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sita, cls.ram = cls.contacts(("Sita", "9812345678"), ("Ram", "9841112222"))
        cls.links = cls.env["aakash.sms.opt.out"]

    def sent(self):
        return {
            r.form["to"]: r.form["text"]
            for r in self.gateway.requests
            if r.path.endswith("/send")
        }

    def blacklisted(self, number):
        return bool(
            self.env["phone.blacklist"].search([("number", "=", "+977" + number)])
        )


@tagged("post_install", "-at_install")
class TestOptOutLink(OptOutMixin, AakashSmsCase):
    def test_a_bulk_send_is_without_the_link_unless_asked(self):
        composer = self.open_composer(self.sita | self.ram, user=self.sms_user)
        self.assertFalse(composer.opt_out_link)
        composer.body = "Dashain sale"
        composer.save().action_send()
        self.run_queue()
        self.assertEqual(set(self.sent().values()), {"Dashain sale"})

    def test_each_recipient_gets_their_own_link_counted_in_the_preview(self):
        composer = self.open_composer(self.sita | self.ram, user=self.sms_user)
        composer.body = "Dashain sale"
        self.assertEqual(composer.credit_estimate, 2)
        composer.opt_out_link = True
        sita_link = self.links._url("9812345678")
        self.assertIn(f"{ROUTE}/9812345678/", sita_link)
        sita_text = f"Dashain sale\nOpt out: {sita_link}"
        # the preview shows the first recipient's text, link included, and counts it
        self.assertEqual(composer.preview_body, sita_text)
        self.assertIn(f"{len(sita_text)} of 160 characters", composer.text_summary)
        composer.body = "Dashain sale" + "x" * (160 - len(sita_text))
        self.assertEqual(composer.credit_estimate, 2, "exactly 160: one part each")
        composer.body += "y"
        self.assertEqual(composer.credit_estimate, 4, "the link makes two parts")
        composer.body = "Dashain sale"
        composer.save().action_send()
        self.run_queue()
        self.assertEqual(
            self.sent(),
            {
                "9812345678": sita_text,
                "9841112222": "Dashain sale\nOpt out: " + self.links._url("9841112222"),
            },
        )

    def test_a_nepali_text_gets_the_link_in_nepali(self):
        composer = self.open_composer(self.sita | self.ram, user=self.sms_user)
        composer.body = "दशैंको शुभकामना"
        composer.opt_out_link = True
        self.assertEqual(
            composer.preview_body,
            "दशैंको शुभकामना\nSMS बन्द गर्न: " + self.links._url("9812345678"),
        )

    def test_a_text_to_one_record_never_carries_the_link(self):
        composer = self.open_composer(self.sita, user=self.sms_user)
        composer.body = "Your order is ready"
        composer = composer.save()
        composer.opt_out_link = True  # hidden in the form; refused all the same
        composer.action_send()
        self.assertEqual(self.sent(), {"9812345678": "Your order is ready"})

    def test_the_same_number_twice_in_one_send_is_still_one_sms(self):
        twin = self.contacts(("Sita again", "+977-981-2345678"))
        composer = self.open_composer(self.sita | twin, user=self.sms_user)
        composer.body = "Dashain sale"
        composer.opt_out_link = True
        composer.save().action_send()
        self.assertEqual(
            self.messages_of(self.sita | twin).mapped("error_kind"),
            [False, "duplicate"],
        )

    def test_a_link_is_valid_for_its_own_number_only(self):
        token = self.links._token("9812345678")
        self.assertEqual(len(token), 12)
        self.assertTrue(self.links._check("9812345678", token))
        self.assertFalse(self.links._check("9841112222", token))
        wrong = token[:-1] + ("1" if token.endswith("0") else "0")
        self.assertFalse(self.links._check("9812345678", wrong))
        self.assertFalse(self.links._check("9812345678", ""))
        self.assertFalse(self.links._check("+9779812345678", token))


@tagged("post_install", "-at_install")
class TestOptOutPage(OptOutMixin, AakashSmsHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_nepali(cls.env)

    def page(self, number, token=None, **kwargs):
        token = token or self.links._token(number)
        return self.url_open(f"{ROUTE}/{number}/{token}", **kwargs)

    def test_a_customer_opens_the_link_and_stops_sms_in_the_browser(self):
        """Tour as the public user (no login): Nepali page, English, Stop SMS."""
        url = self.links._url("9812345678").removeprefix(self.links.get_base_url())
        self.start_tour(url, "aakash_sms_opt_out_tour", login=None)
        self.assertTrue(self.blacklisted("9812345678"))
        self.assertFalse(self.blacklisted("9841112222"))
        # every send path honours it from now on
        composer = self.open_composer(self.sita | self.ram, user=self.sms_user)
        composer.body = "Tihar sale"
        composer.save().action_send()
        self.assertEqual(
            self.messages_of(self.sita).error_kind, "opted_out", "Sita opted out"
        )
        page = self.page("9812345678")
        self.assertIn("o_aakash_sms_opt_out_already", page.text)

    def test_a_portal_user_opens_their_link(self):
        portal = role_user(self.env, "portal", "optout_portal")
        portal.partner_id.phone = "9841112222"
        self.authenticate("optout_portal", "optout_portal")
        page = self.page("9841112222")
        self.assertIn("o_aakash_sms_opt_out_confirm", page.text)
        csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        done = self.page("9841112222", data={"csrf_token": csrf})
        self.assertIn("o_aakash_sms_opt_out_done", done.text)
        self.assertTrue(self.blacklisted("9841112222"))

    def test_guessing_a_link_blacklists_nobody(self):
        self.authenticate(None, None)
        page = self.page("9812345678")
        csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        wrong = self.page(
            "9841112222",
            token=self.links._token("9812345678"),
            data={"csrf_token": csrf},
        )
        self.assertEqual(wrong.status_code, 404)
        self.assertIn("o_aakash_sms_opt_out_invalid", wrong.text)
        self.assertFalse(self.blacklisted("9841112222"))

    def test_without_nepali_active_the_page_is_in_english(self):
        self.env["res.lang"]._activate_lang("ne_NP").active = False
        page = self.page("9812345678")
        self.assertIn("Stop SMS from", page.text)
        self.assertNotIn("नेपाली", page.text)

    def test_the_page_needs_its_form_token_to_stop_sms(self):
        self.authenticate(None, None)
        refused = self.page("9812345678", data={"confirm": "1"})
        self.assertEqual(refused.status_code, 400, refused.text[:300])
        self.assertFalse(self.blacklisted("9812345678"))
