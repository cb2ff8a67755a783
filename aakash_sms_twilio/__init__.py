from . import models


def post_init_hook(env):
    """Companies already sending Odoo's SMS through Aakash show it in the provider
    choice."""
    env["res.company"].search([("aakash_sms_native", "=", True)]).write(
        {"sms_provider": "aakash"}
    )
