"""Customer data is never code: a template is rendered once per record, with the
template's rules, and what it gives is sent as text, at every front door.

A customer's name holding placeholders (a portal user names themselves, a web form, an
incoming e-mail) reaches the gateway as typed; a name that would create a record if it
were run creates nothing, for an administrator as for an SMS user.
"""

from odoo.tests import new_test_user, tagged

from .common import TOKEN, AakashSmsCase

NAME = "Hari {{ 6 * 7 }}"
PROBE = "{{ object.env['res.partner'].sudo().create({'name': 'pwned'}) }}"


@tagged("post_install", "-at_install")
class TestCustomerDataIsNeverCode(AakashSmsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.template = cls.env["sms.template"].create(
            {
                "name": "Namaste",
                "model_id": cls.env["ir.model"]._get_id("res.partner"),
                "body": "Namaste {{ object.name }}",
            }
        )
        cls.hari, cls.probe = cls.contacts((NAME, "9812345678"), (PROBE, "9841112222"))
        cls.admin = new_test_user(
            cls.env,
            login="render_admin",
            groups="base.group_user,base.group_system,aakash_sms.group_aakash_sms_user",
            name="Render Admin",
        )
        cls.portal = new_test_user(
            cls.env, login="render_portal", groups="base.group_portal"
        )
        cls.portal.partner_id.phone = "9851000000"

    def texts(self):
        """``{number: text}`` of every send request the sandbox received."""
        return {r.form["to"]: r.form["text"] for r in self.gateway.requests}

    def assert_nothing_created(self):
        self.assertFalse(
            self.env["res.partner"]
            .with_context(active_test=False)
            .search([("name", "=", "pwned")]),
            "a customer's name was run as code",
        )

    def send_with_template(self, partners, user):
        composer = self.open_composer(partners, user=user)
        composer.template_id = self.template
        return composer

    # ------------------------------------------------------------------
    # the wizard on one record
    # ------------------------------------------------------------------
    def test_sms_user_has_no_template_editor_rights(self):
        # Odoo 19 restricts template rendering by default: only administrators edit
        # templates; the SMS user of these tests is the common case
        self.assertEqual(
            self.env["ir.config_parameter"].get_param(
                "mail.restrict.template.rendering"
            ),
            "1",
        )
        self.assertFalse(self.sms_user.has_group("mail.group_mail_template_editor"))
        self.assertTrue(self.admin.has_group("mail.group_mail_template_editor"))

    def test_one_contact_gets_its_name_as_typed(self):
        editor = new_test_user(
            self.env,
            login="render_editor",
            groups="base.group_user,mail.group_mail_template_editor,"
            "aakash_sms.group_aakash_sms_user",
        )
        for user in (self.admin, self.sms_user, editor):
            with self.subTest(user=user.login):
                self.gateway.clear()
                composer = self.send_with_template(self.hari, user)
                self.assertEqual(composer.body, "Namaste Hari {{ 6 * 7 }}")
                self.assertFalse(composer.send_blocker)
                self.assertFalse(composer.is_personalised, "one text, already filled")
                composer.save().action_send()
                self.assertEqual(
                    self.texts(), {"9812345678": "Namaste Hari {{ 6 * 7 }}"}
                )
        self.assertEqual(
            set(self.messages_of(self.hari).mapped("body")),
            {"Namaste Hari {{ 6 * 7 }}"},
        )

    def test_a_name_that_would_run_code_runs_nothing(self):
        for user in (self.admin, self.sms_user):
            with self.subTest(user=user.login):
                self.gateway.clear()
                composer = self.send_with_template(self.probe, user)
                self.assertEqual(composer.body, f"Namaste {PROBE}")
                self.assert_nothing_created()  # the preview
                composer.save().action_send()
                self.assert_nothing_created()  # the send
                self.assertEqual(self.texts(), {"9841112222": f"Namaste {PROBE}"})

    def test_edited_text_of_one_contact_is_still_text(self):
        composer = self.send_with_template(self.hari, self.admin)
        composer.body += ", your order is ready."
        self.assertFalse(composer.send_blocker)
        composer.save().action_send()
        self.assertEqual(
            self.texts(),
            {"9812345678": "Namaste Hari {{ 6 * 7 }}, your order is ready."},
        )

    def test_removing_the_template_removes_its_text(self):
        # the filled-in text goes with its template: what the user types next is
        # their own text, whose placeholders are filled in once
        composer = self.send_with_template(self.hari, self.sms_user)
        composer.template_id = self.env["sms.template"]
        self.assertFalse(composer.body)
        composer.body = "Hello {{ object.name }}"
        self.assertTrue(composer.is_personalised)
        self.assertEqual(composer.preview_body, "Hello Hari {{ 6 * 7 }}")
        composer.save().action_send()
        self.assertEqual(self.texts(), {"9812345678": "Hello Hari {{ 6 * 7 }}"})

    def test_portal_user_names_themselves_with_placeholders(self):
        partner = self.portal.partner_id
        for name in (NAME, PROBE):
            # the portal user's own preferences: their name, written as themselves
            self.portal.with_user(self.portal).write({"name": name})
            self.assertEqual(partner.name, name)
            for user in (self.admin, self.sms_user):
                with self.subTest(name=name, user=user.login):
                    self.gateway.clear()
                    composer = self.send_with_template(partner, user)
                    self.assertFalse(composer.send_blocker)
                    composer.save().action_send()
                    self.assert_nothing_created()
                    self.assertEqual(self.texts(), {"9851000000": f"Namaste {name}"})

    # ------------------------------------------------------------------
    # the wizard on many records, server actions, resend
    # ------------------------------------------------------------------
    def test_many_contacts_each_rendered_once(self):
        for user in (self.admin, self.sms_user):
            with self.subTest(user=user.login):
                self.gateway.clear()
                composer = self.send_with_template(self.hari | self.probe, user)
                self.assertEqual(composer.body, self.template.body)
                self.assertEqual(composer.preview_body, "Namaste Hari {{ 6 * 7 }}")
                self.assert_nothing_created()
                composer.save().action_send()
                self.run_queue()
                self.assert_nothing_created()
                self.assertEqual(
                    self.texts(),
                    {
                        "9812345678": "Namaste Hari {{ 6 * 7 }}",
                        "9841112222": f"Namaste {PROBE}",
                    },
                )

    def test_server_action_texts_names_as_typed(self):
        action = self.env["ir.actions.server"].create(
            {
                "name": "Text the contact",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "state": "aakash_sms",
            }
        )
        for values in (
            {"aakash_sms_template_id": self.template.id},
            {"aakash_sms_template_id": False, "aakash_sms_body": self.template.body},
        ):
            with self.subTest(template=bool(values["aakash_sms_template_id"])):
                action.write(values)
                self.gateway.clear()
                records = self.hari | self.probe
                action.with_user(self.admin).with_context(
                    active_model="res.partner", active_ids=records.ids
                ).run()
                self.run_queue()
                self.assert_nothing_created()
                self.assertEqual(
                    self.texts(),
                    {
                        "9812345678": "Namaste Hari {{ 6 * 7 }}",
                        "9841112222": f"Namaste {PROBE}",
                    },
                )

    def test_resend_sends_the_stored_text(self):
        self.provider.auth_token = "wrong-token"
        self.send_with_template(self.probe, self.sms_user).save().action_send()
        failed = self.messages_of(self.probe)
        self.assertEqual(failed.state, "failed")
        self.provider.auth_token = TOKEN
        self.gateway.clear()
        failed.with_user(self.sms_user).action_resend()
        self.run_queue()
        self.assert_nothing_created()
        self.assertEqual(self.texts(), {"9841112222": f"Namaste {PROBE}"})
