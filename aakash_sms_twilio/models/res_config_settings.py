from odoo import api, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    @api.model_create_multi
    def create(self, vals_list):
        # the radio decides: the (hidden) Aakash checkbox follows it, whatever order the
        # settings are then written to the company in
        for vals in vals_list:
            if "sms_provider" in vals:
                vals["aakash_sms_native"] = vals["sms_provider"] == "aakash"
        return super().create(vals_list)
