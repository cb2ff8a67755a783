from odoo import fields, models

from odoo.addons.sms_twilio.tools.sms_api import SmsApiTwilio


class ResCompany(models.Model):
    """With Twilio SMS installed, Odoo's SMS provider is one choice: Odoo (IAP),
    Twilio or Aakash.

    ``aakash_sms_native`` (the core addon's switch) follows the choice, so one company
    never has two services at once.
    """

    _inherit = "res.company"

    sms_provider = fields.Selection(
        selection_add=[("aakash", "Send via Aakash SMS")],
        ondelete={"aakash": "set default"},
    )

    def write(self, vals):
        if "sms_provider" in vals:
            vals = dict(vals, aakash_sms_native=vals["sms_provider"] == "aakash")
        elif vals.get("aakash_sms_native"):
            vals = dict(vals, sms_provider="aakash")
        elif "aakash_sms_native" in vals:
            # switched off: the companies that had Aakash go back to Odoo's own service
            self.filtered(lambda company: company.sms_provider == "aakash").write(
                {"sms_provider": "iap"}
            )
        return super().write(vals)

    def _aakash_foreign_gateway(self):
        """Numbers outside Nepal go through Twilio where the company has set it up
        (its account), else through Odoo's IAP."""
        self.ensure_one()
        # the account is the system administrators' to read: only checked here
        company_sudo = self.sudo()
        if company_sudo.sms_twilio_account_sid and company_sudo.sms_twilio_auth_token:
            return "twilio"
        return super()._aakash_foreign_gateway()

    def _aakash_foreign_sms_api(self):
        self.ensure_one()
        if self._aakash_foreign_gateway() == "twilio":
            api = SmsApiTwilio(self.env)
            api._set_company(self)
            return api, "twilio"
        return super()._aakash_foreign_sms_api()
