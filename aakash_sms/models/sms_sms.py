from collections import defaultdict

from odoo import models


class SmsSms(models.Model):
    _inherit = "sms.sms"

    def _split_by_api(self):
        """Send the SMS of companies that route Odoo's SMS through Aakash with Aakash."""
        by_company = defaultdict(lambda: self.browse())
        for sms in self:
            by_company[sms._get_sms_company()] |= sms
        others = self.browse()
        for company, company_sms in by_company.items():
            if company.aakash_sms_native:
                sms_api = company._get_sms_api_class()(self.env)
                sms_api._set_company(company)
                yield sms_api, company_sms
            else:
                others |= company_sms
        if others:
            yield from super(SmsSms, others)._split_by_api()
