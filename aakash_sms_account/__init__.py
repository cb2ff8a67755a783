from . import models


def post_init_hook(env):
    """Every company gets the default payment reminder steps."""
    env["res.company"].search([])._aakash_sms_default_reminder_steps()
