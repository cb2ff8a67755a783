# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Aakash SMS - Twilio bridge",
    "summary": "Aakash as one choice of Odoo's SMS provider when Twilio SMS is "
    "installed",
    "version": "19.0.1.0.0",
    "category": "Hidden/Tools",
    "website": "https://github.com/aakash-sms-odoo/aakash_sms",
    "author": "Aakash SMS for Odoo contributors",
    "maintainers": ["aakash-sms-odoo"],
    "development_status": "Beta",
    "license": "LGPL-3",
    "depends": ["aakash_sms", "sms_twilio"],
    "data": ["views/res_config_settings_views.xml"],
    "post_init_hook": "post_init_hook",
    "auto_install": True,
}
