from odoo import SUPERUSER_ID, api

OLD_NAME = "Invoice confirmed (English)"


def migrate(cr, version):
    """Upgrading from 19.0.1.0.0: every company gets the default payment reminder
    steps, as a new install does; the confirmation template, rendered in each
    customer's language, loses "(English)" from its name (unless it was renamed)."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["res.company"].search([])._aakash_sms_default_reminder_steps()
    template = env.ref(
        "aakash_sms_account.sms_template_invoice_confirmed", raise_if_not_found=False
    )
    if template and template.with_context(lang="en_US").name == OLD_NAME:
        template.with_context(lang="en_US").name = "Invoice confirmed"
        if env["res.lang"].search_count([("code", "=", "ne_NP")]):  # active only
            template.update_field_translations("name", {"ne_NP": "बिल पुष्टि भयो"})
