# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Aakash SMS - Invoicing",
    "summary": "Text customers about their invoices through Aakash SMS "
    "(installed with Invoicing)",
    "version": "19.0.1.1.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/aakash-sms-odoo/aakash_sms",
    "author": "Aakash SMS for Odoo contributors",
    "license": "LGPL-3",
    "maintainers": ["aakash-sms-odoo"],
    "development_status": "Beta",
    "depends": ["aakash_sms", "account"],
    "data": [
        "security/ir.model.access.csv",
        "security/aakash_sms_account_security.xml",
        "data/sms_template_data.xml",
        "data/ir_cron_data.xml",
        "views/aakash_sms_reminder_views.xml",
        "views/aakash_sms_composer_views.xml",
        "views/account_move_views.xml",
        "views/res_config_settings_views.xml",
        "views/aakash_sms_menus.xml",
    ],
    "assets": {
        "web.assets_tests": ["aakash_sms_account/static/tests/tours/*.js"],
    },
    "auto_install": True,
    "post_init_hook": "post_init_hook",
}
