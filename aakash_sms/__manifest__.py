# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Aakash SMS",
    "summary": "Send SMS to Nepali customers through the Aakash SMS gateway",
    "version": "19.0.2.0.0",
    "category": "Marketing/SMS Marketing",
    "website": "https://github.com/aakash-sms-odoo/aakash_sms",
    "author": "Aakash SMS for Odoo contributors",
    "license": "LGPL-3",
    "maintainers": ["aakash-sms-odoo"],
    "development_status": "Beta",
    # listed under Apps' default filter ("Apps"): a search for "Aakash" finds it
    "application": True,
    # contacts: the SMS log and the providers are in the Contacts app (Contacts > SMS)
    "depends": ["mail", "sms", "phone_validation", "contacts"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/aakash_sms_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "data/mail_activity_type_data.xml",
        "data/aakash_sms_chatter_templates.xml",
        "data/res_lang_data.xml",
        "data/sms_template_data.xml",
        "views/aakash_sms_provider_views.xml",
        "wizard/aakash_sms_resend_views.xml",
        "views/aakash_sms_message_views.xml",
        "wizard/aakash_sms_composer_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "views/ir_actions_server_views.xml",
        "views/aakash_sms_menus.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "aakash_sms/static/src/js/*.js",
            "aakash_sms/static/src/scss/*.scss",
        ],
        "web.assets_tests": ["aakash_sms/static/tests/tours/*.js"],
    },
    "images": ["static/description/screenshot_chatter.png"],
}
