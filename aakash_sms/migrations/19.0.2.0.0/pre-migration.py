"""19.0.1.0.0 -> 19.0.2.0.0: the invoice features moved to the new aakash_sms_account.

What users' data refers to keeps its database ids: the company settings (columns of
res_company), the invoices' "confirmation SMS queued" flag (a column of account_move),
the invoice SMS templates (chosen in the settings, used by server actions, maybe
edited), the invoice views, action and menus.

Without this script, upgrading aakash_sms alone would end with Odoo's
``ir.model.data._process_end`` deleting whatever the core no longer loads under its
own xml ids: the fields (so their columns are DROPPED, values lost) and the views,
action and menus; the templates (noupdate) would stay orphaned and aakash_sms_account
would create new ones with other ids. So, before the core is loaded:

1. the xml ids of everything that moved are given to aakash_sms_account (same records,
   same ids);
2. aakash_sms_account is scheduled, since upgrading a module never installs a new
   auto-install module by itself (Odoo's load_modules picks up modules whose state
   changed while loading). It is scheduled as 'to upgrade', not 'to install': its data
   is already in the database, and only update mode keeps noupdate records as they
   are (installing, convert.py's 'init' mode, rewrites them: a user's edited template
   body would be replaced by the shipped text).

19.0.1.0.0 depended on account, so account is installed wherever this runs.
"""

import logging

_logger = logging.getLogger(__name__)

NEW_MODULE = "aakash_sms_account"

# the xml ids (module aakash_sms) of what moved to aakash_sms_account
MOVED = (
    # company settings and invoices: fields, hence columns
    "field_res_company__aakash_sms_invoice_confirm",
    "field_res_company__aakash_sms_invoice_template_id",
    "field_res_config_settings__aakash_sms_invoice_confirm",
    "field_res_config_settings__aakash_sms_invoice_template_id",
    "field_account_move__aakash_sms_confirmation_sent",
    "field_account_move__aakash_sms_count",
    "model_account_move",
    # the invoice templates (noupdate)
    "sms_template_invoice_confirmed",
    "sms_template_invoice_confirmed_ne",
    # views, the wizard's action on invoices, Invoicing's menus
    "view_move_form",
    "res_config_settings_view_form_account",
    "action_aakash_sms_composer_move",
    "menu_aakash_sms_invoicing",
    "menu_aakash_sms_invoicing_provider",
)


def migrate(cr, version):
    if not version:
        return
    cr.execute("SELECT state FROM ir_module_module WHERE name = %s", [NEW_MODULE])
    row = cr.fetchone()
    if row is None:
        # going on would drop the invoice settings' and flags' columns: stop here
        raise RuntimeError(
            f"aakash_sms {version} -> 19.0.2.0.0: the invoice features moved to the "
            f"addon {NEW_MODULE}, which is not in the addons path. Deploy it next to "
            "aakash_sms and upgrade again (nothing was changed)."
        )
    cr.execute(
        """
        UPDATE ir_model_data
           SET module = %s
         WHERE module = 'aakash_sms'
           AND name IN %s
           AND NOT EXISTS (
               SELECT 1 FROM ir_model_data other
                WHERE other.module = %s AND other.name = ir_model_data.name
           )
        """,
        [NEW_MODULE, MOVED, NEW_MODULE],
    )
    _logger.info("aakash_sms: %d external ids moved to %s", cr.rowcount, NEW_MODULE)
    if row[0] in ("uninstalled", "to install"):
        cr.execute(
            "UPDATE ir_module_module SET state = 'to upgrade' WHERE name = %s",
            [NEW_MODULE],
        )
        _logger.info("aakash_sms: %s scheduled with the upgrade", NEW_MODULE)
