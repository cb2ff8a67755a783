from odoo.addons.aakash_sms.tests.common import AakashSmsMixin
from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class AakashSmsInvoicingCase(AakashSmsMixin, AccountTestInvoicingCommon):
    """Invoices with the sandbox: partner_a has a mobile, partner_b no number."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # AccountTestInvoicingCommon runs as an invoicing user: let it send SMS
        cls.env.user.group_ids += cls.env.ref("aakash_sms.group_aakash_sms_user")
        cls.partner_a.phone = "9801234567"
        cls.partner_b.phone = False
