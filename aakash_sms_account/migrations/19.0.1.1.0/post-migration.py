from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Upgrading from 19.0.1.0.0: every company gets the default payment reminder
    steps, as a new install does."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["res.company"].search([])._aakash_sms_default_reminder_steps()
