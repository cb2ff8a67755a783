# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Aakash SMS",
    "summary": "Send SMS to Nepali customers through the Aakash SMS gateway",
    "description": """
Send SMS through Aakash SMS (sms.aakashsms.com) from customers, invoices,
automation rules and Odoo's own SMS features, with every recipient's outcome
(queued, rejected and why, network, credits) in the chatter and an SMS log.
""",
    "version": "19.0.1.0.0",
    "category": "Marketing/SMS Marketing",
    "website": "https://github.com/aakash-sms-odoo/aakash_sms",
    "author": "Aakash SMS for Odoo contributors",
    "license": "LGPL-3",
    "depends": ["mail", "sms", "account", "base_automation"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/aakash_sms_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "data/mail_activity_type_data.xml",
        "data/sms_template_data.xml",
        "views/aakash_sms_provider_views.xml",
        "views/aakash_sms_message_views.xml",
        "wizard/aakash_sms_composer_views.xml",
        "views/res_partner_views.xml",
        "views/account_move_views.xml",
        "views/res_config_settings_views.xml",
        "views/ir_actions_server_views.xml",
        "views/aakash_sms_menus.xml",
    ],
    "assets": {
        "web.assets_tests": ["aakash_sms/static/tests/tours/*.js"],
    },
    "images": ["static/description/screenshot_chatter.png"],
}
