"""Customer data is never code: a template is rendered once per record, with the
template's rules, and what it gives is sent as text, at every send path.

A customer's name holding placeholders (a portal user names themselves, a web form, an
incoming e-mail) reaches the gateway as typed; a name that would create a record if it
were run creates nothing, for an administrator as for an SMS user.
"""

from odoo.tests import Form, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import TOKEN, AakashSmsCase, role_user

NAME = "Hari {{ 6 * 7 }}"
PROBE = "{{ object.env['res.partner'].sudo().create({'name': 'pwned'}) }}"
# what the gateway receives for each: the name as typed
HARI_SENT = {"9812345678": "Namaste Hari {{ 6 * 7 }}"}
PROBE_SENT = {"9841112222": f"Namaste {PROBE}"}


class NamasteTemplateMixin:
    """The template ``Namaste {{ object.name }}`` on contacts, and the check that no
    customer's name was run."""

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

    def assert_nothing_created(self):
        self.assertFalse(
            self.env["res.partner"]
            .with_context(active_test=False)
            .search([("name", "=", "pwned")]),
            "a customer's name was run as code",
        )


@tagged("post_install", "-at_install")
class TestCustomerDataIsNeverCode(NamasteTemplateMixin, AakashSmsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
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
                self.assertEqual(self.texts(), HARI_SENT)
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
                self.assertEqual(self.texts(), PROBE_SENT)

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
                self.assertEqual(self.texts(), {**HARI_SENT, **PROBE_SENT})

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
                self.assertEqual(self.texts(), {**HARI_SENT, **PROBE_SENT})

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
        self.assertEqual(self.texts(), PROBE_SENT)


@tagged("post_install", "-at_install")
class TestOdooComposerRendersOnce(NamasteTemplateMixin, AakashSmsCase):
    """Odoo's own SMS composer (``sms.composer``), through the bridge: its template
    filled in for one record is sent as text, never rendered again."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.aakash_sms_native = True
        # "Add context action" on the template: Contacts' Action menu gets
        # "Send SMS (Namaste)", opening Odoo's composer with the template
        cls.template.action_create_sidebar_action()
        # Odoo checks the number with the contact's country
        nepal = cls.env.ref("base.np")
        cls.hari, cls.probe = cls.env["res.partner"].create(
            [
                {"name": NAME, "phone": "+977 981-2345678", "country_id": nepal.id},
                {"name": PROBE, "phone": "+977 984-1112222", "country_id": nepal.id},
            ]
        )
        cls.admin = role_user(
            cls.env, "admin", "odoo_composer_admin", name="Odoo Composer Admin"
        )
        # Odoo's SMS are for every internal user, Aakash groups or not; posting on a
        # contact takes Odoo's right to edit contacts
        cls.employee = role_user(cls.env, "contact_manager", "odoo_composer_employee")

    def sent(self):
        """``{number: text}`` of every send request the sandbox received."""
        return {
            r.form["to"]: r.form["text"]
            for r in self.gateway.requests
            if r.path.endswith("/v3/send")
        }

    def send_and_queue(self, composer):
        """Send from Odoo's composer form, then run the queue that sends its SMS."""
        composer.save().action_send_sms()
        self.run_queue()

    def open_template_action(self, partner, user):
        """Odoo's composer as the template's Action menu entry opens it on the one
        ``partner``: the action's context, evaluated as the web client does."""
        action = self.template.sidebar_action_id
        context = safe_eval(
            action.context, {"active_id": partner.id, "active_ids": partner.ids}
        )
        context.update(
            active_model="res.partner", active_id=partner.id, active_ids=partner.ids
        )
        return Form(
            self.env(user=user)["sms.composer"].with_context(**context),
            view=action.view_id,
        )

    def test_the_template_on_one_contact_is_sent_as_filled_in(self):
        self.assertFalse(self.employee.has_group("mail.group_mail_template_editor"))
        for user in (self.admin, self.employee):
            with self.subTest(user=user.login):
                self.gateway.clear()
                composer = self.open_template_action(self.hari, user)
                self.assertEqual(composer.composition_mode, "comment")
                self.assertEqual(composer.body, "Namaste Hari {{ 6 * 7 }}")
                self.send_and_queue(composer)
                self.assertEqual(self.sent(), HARI_SENT)

    def test_a_name_that_would_run_code_runs_nothing(self):
        for user in (self.admin, self.employee):
            with self.subTest(user=user.login):
                self.gateway.clear()
                composer = self.open_template_action(self.probe, user)
                self.assertEqual(composer.body, f"Namaste {PROBE}")
                self.send_and_queue(composer)
                self.assert_nothing_created()
                self.assertEqual(self.sent(), PROBE_SENT)

    def test_edited_text_is_sent_as_edited(self):
        # the filled-in text is the user's to change; placeholders typed into it
        # stay as typed, as in Odoo's e-mail composer
        for user in (self.admin, self.employee):
            with self.subTest(user=user.login):
                self.gateway.clear()
                composer = self.open_template_action(self.hari, user)
                composer.body += ", {{ 1 + 1 }} ready"
                self.send_and_queue(composer)
                self.assertEqual(
                    self.sent(),
                    {"9812345678": "Namaste Hari {{ 6 * 7 }}, {{ 1 + 1 }} ready"},
                )

    def test_composer_created_with_the_filled_in_text_sends_it_as_text(self):
        # code creating the composer with the text Odoo's helper filled in for one
        # record: the flag is precomputed with the body, whoever gives the body
        values = self.env["sms.composer"]._get_composer_values(
            "comment", "res.partner", self.probe.id, False, self.template.id
        )
        self.assertEqual(values["body"], f"Namaste {PROBE}")
        composer = (
            self.env(user=self.employee)["sms.composer"]
            .with_context(default_res_model="res.partner")
            .create(
                dict(
                    values,
                    composition_mode="comment",
                    res_id=self.probe.id,
                    template_id=self.template.id,
                )
            )
        )
        composer.action_send_sms()
        self.run_queue()
        self.assert_nothing_created()
        self.assertEqual(self.sent(), PROBE_SENT)

    def test_many_contacts_each_rendered_once(self):
        # the template's source, filled in for each by the template when sent
        for user in (self.admin, self.employee):
            with self.subTest(user=user.login):
                self.gateway.clear()
                composer = Form(
                    self.env(user=user)["sms.composer"].with_context(
                        default_composition_mode="mass",
                        default_res_model="res.partner",
                        default_res_ids=repr((self.hari | self.probe).ids),
                        default_template_id=self.template.id,
                        default_mass_force_send=True,
                    )
                )
                self.assertEqual(composer.body, self.template.body)
                self.send_and_queue(composer)
                self.assert_nothing_created()
                self.assertEqual(
                    self.sent(),
                    {
                        "9812345678": "Namaste Hari {{ 6 * 7 }}",
                        "9841112222": f"Namaste {PROBE}",
                    },
                )
