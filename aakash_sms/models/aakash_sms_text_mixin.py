from odoo import api, models


class AakashSmsTextMixin(models.AbstractModel):
    """Models holding an SMS text someone types: a text with a control character
    (NUL...) is refused in words before it is stored (PostgreSQL refuses a NUL with
    a traceback)."""

    _name = "aakash.sms.text.mixin"
    _description = "Aakash SMS Text Check"

    # the fields holding SMS texts, set by each model
    _aakash_sms_text_fields = ()

    @api.model_create_multi
    def create(self, vals_list):
        self._aakash_sms_check_texts(vals_list, self._aakash_sms_text_fields)
        return super().create(vals_list)

    def write(self, vals):
        self._aakash_sms_check_texts([vals], self._aakash_sms_text_fields)
        return super().write(vals)
