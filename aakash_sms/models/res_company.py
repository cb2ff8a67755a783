from odoo import fields, models
from odoo.tools import SQL

from odoo.addons.sms.tools.sms_api import SmsApi

from ..tools.sms_api import SmsApiAakash
from ..tools.window import DEFAULT_TZ, window_opening


class ResCompany(models.Model):
    _inherit = "res.company"

    aakash_sms_native = fields.Boolean(
        "Send Odoo's SMS through Aakash",
        help="Route every SMS Odoo sends (SMS composer, templates, marketing, server "
        "actions...) through the company's default Aakash SMS provider.",
    )

    aakash_sms_foreign_numbers = fields.Selection(
        [
            ("reject", "Refuse them"),
            ("route", "Send them through Odoo's SMS service"),
        ],
        string="Numbers Outside Nepal",
        default="reject",
        required=True,
        help="Aakash sends to Nepali mobiles only. With Odoo's SMS sent through "
        "Aakash, a number of another country (+91, +1...) is refused with that reason, "
        "or sent through the service Odoo uses without Aakash (Odoo's IAP, or Twilio "
        "where it is set up); the SMS log says which gateway carried each SMS.",
    )

    aakash_sms_monthly_budget = fields.Float(
        "Monthly SMS Credit Budget",
        help="Credits the company's SMS may use in a month (0: no budget). Once they "
        "are used, queued SMS fail with the reason until the next month; resend them "
        "then, or raise the budget.",
    )

    def _aakash_sms_budget_refusals(self, company_ids):
        """``{company id: reason}`` for the companies of ``company_ids`` whose
        monthly credit budget is spent: the queue sends none of their rows.

        Decided when the queue takes rows (``sending_queue``), on the credits Aakash
        charged this month (UTC month, by the rows' sending date).
        """
        # the queue's check, whoever's rows: the budgets of every company concerned
        companies_sudo = (
            self.sudo().browse(list(company_ids)).filtered("aakash_sms_monthly_budget")
        )
        if not companies_sudo:
            return {}
        month_start = fields.Date.today().replace(day=1)
        self.env["aakash.sms.message"].flush_model(
            ["company_id", "credits", "sent_date"]
        )
        self.env.cr.execute(
            SQL(
                """SELECT company_id, SUM(credits) FROM aakash_sms_message
                    WHERE company_id IN %s AND sent_date >= %s AND credits > 0
                    GROUP BY company_id""",
                tuple(companies_sudo.ids),
                month_start,
            )
        )
        spent = dict(self.env.cr.fetchall())
        return {
            company.id: self.env._(
                "The monthly SMS credit budget of %(company)s (%(budget)s credits) is "
                "spent: %(spent)s credits used since %(start)s. Nothing was sent; "
                "resend next month or raise the budget (Settings, Aakash SMS).",
                company=company.name,
                budget=company.aakash_sms_monthly_budget,
                spent=spent[company.id],
                start=month_start,
            )
            for company in companies_sudo
            if spent.get(company.id, 0) >= company.aakash_sms_monthly_budget
        }

    aakash_sms_quiet_hours = fields.Boolean(
        "Sending Hours",
        help="Bulk sends, server actions and Odoo's SMS marketing wait for the "
        "window to open; a text to one recipient and an invoice's SMS go out at any "
        "hour.",
    )
    aakash_sms_window_start = fields.Float("Sending Hours From", default=8.0)
    aakash_sms_window_end = fields.Float("Sending Hours To", default=20.0)

    def _aakash_window_openings(self, now):
        """``{company id: when its window opens}`` for the companies of ``self``
        with sending hours whose window is closed at ``now`` (naive UTC), in the
        company's time zone (its address's, else Kathmandu's)."""
        openings = {}
        for company in self.filtered("aakash_sms_quiet_hours"):
            opening = window_opening(
                now,
                company.aakash_sms_window_start,
                company.aakash_sms_window_end,
                company.partner_id.tz or DEFAULT_TZ,
            )
            if opening:
                openings[company.id] = opening
        return openings

    def _aakash_routes_foreign_numbers(self):
        """Whether the company sends its numbers outside Nepal through another
        service than Aakash (Odoo's SMS through Aakash, and routing chosen)."""
        self.ensure_one()
        return self.aakash_sms_native and self.aakash_sms_foreign_numbers == "route"

    def _aakash_foreign_gateway(self):
        """The key (the log's ``gateway``) of the service that carries the
        company's numbers outside Nepal when they are routed: the one Odoo would use
        without Aakash (Odoo's IAP here; ``aakash_sms_twilio``: Twilio where it is
        set up)."""
        self.ensure_one()
        return "iap"

    def _aakash_foreign_sms_api(self):
        """``(api, gateway)``: the API of :meth:`_aakash_foreign_gateway`."""
        self.ensure_one()
        api = SmsApi(self.env)
        api._set_company(self)
        return api, "iap"

    def _get_sms_api_class(self):
        self.ensure_one()
        if self.aakash_sms_native:
            return SmsApiAakash
        return super()._get_sms_api_class()
