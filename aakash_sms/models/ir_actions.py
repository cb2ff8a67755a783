"""One "Send SMS" in the Actions menu of a company that sends Odoo's SMS through Aakash.

There, Odoo's own "Send SMS" (its composer, :data:`~..const.ODOO_SEND_SMS_ACTIONS`)
and the Aakash wizard would both text through Aakash: the Aakash wizard (preview per
recipient, credits) stays, named "Send SMS". Elsewhere both stay, the wizard named
"Send SMS (Aakash)".
"""

from odoo import models

from ..const import ODOO_SEND_SMS_ACTIONS


class IrActionsActions(models.Model):
    _inherit = "ir.actions.actions"

    def get_bindings(self, model_name):
        result = super().get_bindings(model_name)
        actions = result.get("action")
        if not actions:
            return result
        # the bound actions of the Aakash wizard (names and ids only)
        act_windows_sudo = self.env["ir.actions.act_window"].sudo()
        aakash_ids = set(
            act_windows_sudo.search(
                [
                    ("res_model", "=", "aakash.sms.composer"),
                    ("binding_model_id", "!=", False),
                ]
            ).ids
        )
        if not aakash_ids.intersection(action["id"] for action in actions):
            return result
        if self.env["aakash.sms.composer"]._aakash_replaces_odoo():
            odoo_ids = {
                action.id
                for xml_id in ODOO_SEND_SMS_ACTIONS
                if (action := self.env.ref(xml_id, raise_if_not_found=False))
            }
            name = self.env._("Send SMS")
        else:
            odoo_ids = set()
            name = self.env._("Send SMS (Aakash)")
        result["action"] = [
            dict(action, name=name) if action["id"] in aakash_ids else action
            for action in actions
            if action["id"] not in odoo_ids
        ]
        return result
