import logging
from collections import defaultdict
from typing import NamedTuple

import psycopg2
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL
from odoo.tools.misc import formatLang

from odoo.addons.sms.tools.sms_api import SmsApi

from ..const import BASE_URL_SCHEMES, DEFAULT_BASE_URL, TOKEN_DESTINATION_FIELDS
from ..exceptions import TitledUserError
from ..tools import errors
from ..tools.client import AakashClient
from .provider_slots import one_slot

_logger = logging.getLogger(__name__)


class ClientOrReason(NamedTuple):
    """A provider's gateway client, or why it has none (``client`` is then None)."""

    client: AakashClient | None
    reason: str | None


class AakashSmsProvider(models.Model):
    _name = "aakash.sms.provider"
    _description = "Aakash SMS Provider"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "company_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        tracking=True,
    )
    is_default = fields.Boolean(
        "Default for its company",
        tracking=True,
        help="Used whenever a send does not name a provider, for records of this "
        "company.",
    )
    auth_token = fields.Char(
        groups="base.group_system",
        copy=False,
        help="Created on sms.aakashsms.com under API Service > Token. Only system "
        "administrators can read or change it.",
    )
    has_token = fields.Boolean(compute="_compute_has_token")
    company_sms_native = fields.Boolean(related="company_id.aakash_sms_native")
    base_url = fields.Char(
        "Gateway URL", required=True, default=DEFAULT_BASE_URL, tracking=True
    )
    timeout = fields.Integer(
        "Timeout (s)",
        default=30,
        tracking=True,
        help="How long to wait for the gateway's answer. A send that times out is "
        "marked uncertain and never re-sent automatically.",
    )
    batch_size = fields.Integer(
        default=100, tracking=True, help="Recipients per request to the gateway."
    )
    gsm_safe = fields.Boolean(
        "GSM-Safe Text",
        default=True,
        tracking=True,
        help="Replace characters that have a plain look-alike (no-break spaces, curly "
        "quotes, dashes, the rupee sign...) so that an English text stays GSM-7: "
        "160 characters per credit instead of 70.",
    )
    parallel_requests = fields.Integer(
        default=4,
        tracking=True,
        help="How many requests to the gateway may run at once (1 sends one after the "
        "other).",
    )
    balance = fields.Float("Available Credit", readonly=True, copy=False)
    balance_date = fields.Datetime(
        "Credit Updated On",
        readonly=True,
        copy=False,
        help="Read from Aakash (Refresh Balance, every 6 hours), and lowered by the "
        "credits Aakash reports for each send.",
    )
    total_sent = fields.Integer("Total SMS Sent", readonly=True, copy=False)
    low_balance_threshold = fields.Float(
        "Warn Below",
        default=100,
        tracking=True,
        help="When the periodic balance check finds less credit than this, SMS "
        "managers get an activity.",
    )
    message_count = fields.Integer(compute="_compute_message_count")
    # ------------------------------------------------------------ the SMS Report's
    credits_this_month = fields.Float(
        compute="_compute_month_credits",
        help="Credits of the SMS this provider sent since the 1st of this month.",
    )
    credits_last_month = fields.Float(compute="_compute_month_credits")
    report_next_page = fields.Integer(
        "Report Page To Read",
        default=1,
        readonly=True,
        copy=False,
        help="Where the next reading of Aakash's report goes on (1: from the newest).",
    )

    is_fallback = fields.Boolean(
        "Fallback",
        help="When another provider of the company is refused for a reason a person "
        "must fix (token refused, IP not allowed, no balance), its SMS are sent "
        "through this one instead (never an SMS that may have been sent).",
    )

    # the company's sending hours, set by the SMS managers of its providers
    quiet_hours = fields.Boolean(
        "Sending Hours",
        compute="_compute_sending_hours",
        inverse="_inverse_sending_hours",
        help="The company's bulk sends, server actions and SMS marketing go out only "
        "within these hours of its time zone (its address's, else Kathmandu's); a "
        "text to one recipient and an invoice's SMS at any hour.",
    )
    window_start = fields.Float(
        "Sending From",
        compute="_compute_sending_hours",
        inverse="_inverse_sending_hours",
    )
    window_end = fields.Float(
        "Sending Until",
        compute="_compute_sending_hours",
        inverse="_inverse_sending_hours",
    )

    _one_fallback_per_company = models.UniqueIndex(
        "(company_id) WHERE is_fallback AND active",
        "A company can have only one fallback Aakash SMS provider.",
    )

    _batch_size_positive = models.Constraint(
        "CHECK(batch_size > 0 AND batch_size <= 1000)",
        "The batch size must be between 1 and 1000.",
    )
    _parallel_requests_positive = models.Constraint(
        "CHECK(parallel_requests > 0 AND parallel_requests <= 16)",
        "Parallel requests must be between 1 and 16.",
    )
    _timeout_positive = models.Constraint(
        "CHECK(timeout > 0)", "The timeout must be positive."
    )
    _one_default_per_company = models.UniqueIndex(
        "(company_id) WHERE is_default AND active",
        "A company can have only one default Aakash SMS provider.",
    )

    def _compute_has_token(self):
        # whether a token is set, never its value: searching on the token field
        # needs sudo
        ids = [provider._origin.id for provider in self if provider._origin.id]
        providers_sudo = self.sudo()
        with_token = set(
            providers_sudo.search([("id", "in", ids), ("auth_token", "!=", False)]).ids
        )
        for provider in self:
            provider.has_token = provider._origin.id in with_token

    @api.depends(
        "company_id.aakash_sms_quiet_hours",
        "company_id.aakash_sms_window_start",
        "company_id.aakash_sms_window_end",
    )
    def _compute_sending_hours(self):
        for provider in self:
            company = provider.company_id
            provider.quiet_hours = company.aakash_sms_quiet_hours
            provider.window_start = company.aakash_sms_window_start
            provider.window_end = company.aakash_sms_window_end

    def _inverse_sending_hours(self):
        for provider in self:
            # the provider's SMS managers (who may write it) set their company's
            # sending hours, a field of the company they may not write otherwise
            company_sudo = provider.company_id.sudo()
            company_sudo.write(
                {
                    "aakash_sms_quiet_hours": provider.quiet_hours,
                    "aakash_sms_window_start": provider.window_start,
                    "aakash_sms_window_end": provider.window_end,
                }
            )

    def _compute_message_count(self):
        counts = dict(
            self.env["aakash.sms.message"]._read_group(
                [("provider_id", "in", self.ids)], ["provider_id"], ["__count"]
            )
        )
        for provider in self:
            provider.message_count = counts.get(provider, 0)

    def _compute_month_credits(self):
        this_month, last_month = self._month_starts()
        Message = self.env["aakash.sms.message"]
        domain = [("provider_id", "in", self.ids), ("sent_date", ">=", last_month)]
        used = defaultdict(float)
        for provider, month, total in Message._read_group(
            domain, ["provider_id", "sent_date:month"], ["credits:sum"]
        ):
            used[provider, month.date() >= this_month] += total
        for provider in self:
            provider.credits_this_month = used[provider._origin, True]
            provider.credits_last_month = used[provider._origin, False]

    @api.model
    def _month_starts(self):
        """The first days of this month and of the last (server dates, UTC)."""
        this_month = fields.Date.today().replace(day=1)
        return this_month, this_month - relativedelta(months=1)

    def _days_left(self):
        """How many days the balance lasts at this month's pace (None: nothing
        was sent this month)."""
        self.ensure_one()
        today = fields.Date.today()
        per_day = self.credits_this_month / today.day
        if not per_day:
            return None
        return int(self.balance // per_day)

    def _fresh_balance(self, max_age_minutes=5):
        """``(balance, reason)``: the balance, read from Aakash again when the last
        reading is older than ``max_age_minutes``; ``reason`` says why it could not
        be read (the last reading is then returned, ``None`` if there was none)."""
        self.ensure_one()
        age_limit = fields.Datetime.now() - relativedelta(minutes=max_age_minutes)
        if self.balance_date and self.balance_date >= age_limit:
            return self.balance, None
        try:
            with self.env.cr.savepoint():
                return self._read_credit().available, None
        except UserError as exc:
            last = self.balance if self.balance_date else None
            return last, exc.args[0]

    @api.constrains("base_url")
    def _check_base_url(self):
        for provider in self:
            if not provider.base_url.startswith(BASE_URL_SCHEMES):
                raise ValidationError(
                    self.env._(
                        "The gateway URL must start with https:// (or http:// for a "
                        "test gateway), for example %s.",
                        DEFAULT_BASE_URL,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("base_url", DEFAULT_BASE_URL) != DEFAULT_BASE_URL:
                self._check_token_destination_access()
        first_of = self._companies_without_provider(vals_list)
        providers = super().create(vals_list)
        providers._route_odoo_sms_of(first_of)
        return providers

    @api.model
    def _companies_without_provider(self, vals_list):
        """The companies of ``vals_list`` that never had an Aakash SMS provider."""
        company_ids = {
            vals.get("company_id") or self.env.company.id for vals in vals_list
        }
        # archived providers count too: a company that had one already chose
        providers_sudo = self.sudo().with_context(active_test=False)
        had = providers_sudo.search([("company_id", "in", list(company_ids))])
        return self.env["res.company"].browse(company_ids) - had.company_id

    def _route_odoo_sms_of(self, companies):
        """Send Odoo's own SMS of ``companies`` through Aakash, when their first
        provider is created and they still use Odoo's IAP service (a company that
        chose Twilio keeps it), and say so on the provider.

        Only at that moment: an upgrade, or a provider added later, never changes a
        company's choice (switching it off in the settings stays off).
        """
        for company in companies:
            if company.aakash_sms_native or (
                company._get_sms_api_class() is not SmsApi
            ):
                continue
            try:
                # a company being changed at this moment by another transaction
                # keeps its setting: never wait for it (nor deadlock with it)
                with self.env.cr.savepoint():
                    self.env.cr.execute(
                        SQL(
                            "SELECT id FROM res_company WHERE id = %s "
                            "FOR NO KEY UPDATE NOWAIT",
                            company.id,
                        ),
                        log_exceptions=False,
                    )
            except psycopg2.errors.LockNotAvailable:
                continue
            # an SMS manager creating the first provider may not write companies
            company_sudo = company.sudo()
            company_sudo.aakash_sms_native = True
            self.filtered(lambda p, c=company: p.company_id == c)[:1].message_post(
                body=self.env._(
                    "Odoo's own SMS of %(company)s (Send SMS, the SMS button of "
                    "phone fields, SMS templates, marketing) now go through Aakash "
                    "SMS. To keep Odoo's own SMS service, switch off \"Send Odoo's "
                    'SMS through Aakash" in Settings > General Settings > Aakash '
                    "SMS.",
                    company=company.name,
                )
            )

    def write(self, vals):
        changed = [name for name in TOKEN_DESTINATION_FIELDS if name in vals]
        if changed and any(
            provider[name] != vals[name] for provider in self for name in changed
        ):
            # writing the same value again is harmless
            self._check_token_destination_access()
        return super().write(vals)

    def _check_token_destination_access(self):
        """Only system administrators decide where the auth token is sent.

        A provider's gateway URL (:data:`TOKEN_DESTINATION_FIELDS`) receives the
        token with every request: whoever could change it could send the token
        to a server of theirs and read it there.
        """
        if self.env.su or self.env.user._is_system():
            return
        raise AccessError(
            self.env._(
                "Only system administrators can change where an Aakash SMS provider "
                "sends its auth token (the gateway URL)."
            )
        )

    def _check_provider_access(self):
        """Raise AccessError unless the current user may run actions of the providers
        ``self``.

        Allowed: the superuser (the engine and the crons), system administrators,
        and SMS managers whose allowed companies include every provider's
        company; the provider must also be readable (access rights and
        record rules, hence one of the user's active companies).  Call it
        before anything reads the token or any other field as superuser.
        """
        if self.env.su:
            return
        self.check_access("read")
        user = self.env.user
        if user._is_system():
            return
        if not user.has_group("aakash_sms.group_aakash_sms_manager"):
            raise AccessError(
                self.env._(
                    "Only Aakash SMS managers and system administrators can use Aakash "
                    "SMS providers."
                )
            )
        foreign = self.filtered(
            lambda provider: provider.company_id not in user.company_ids
        )
        if foreign:
            raise AccessError(
                self.env._(
                    "You are not an Aakash SMS manager of %(company)s.",
                    company=foreign[0].company_id.name,
                )
            )

    @api.model
    def _get_default_sudo(self, company=None):
        """Default active provider of ``company`` (the current one if not given), as
        superuser.

        The recordset returned is in sudo mode (``sudo()``), whoever the
        caller: the engine writes its id on log rows and reads its settings
        for any user whose business action sends an SMS (an accountant
        confirming an invoice, an employee creating a contact under an
        automation rule), users who cannot read providers themselves.  Never
        hand it to users (no ``read``, no action result, no field value
        shown as is): use ``.sudo(False)`` for that.

        The provider marked default; if none is, the first active one.  Empty if the
        company has no active provider, or if the one marked default is archived:
        its SMS are not sent through another provider until a manager marks one
        default (:meth:`_get_archived_default_sudo` tells which).
        """
        provider_sudo = self._get_default_candidate_sudo(company)
        return provider_sudo if provider_sudo.active else provider_sudo.browse()

    @api.model
    def _get_archived_default_sudo(self, company=None):
        """The archived provider still marked default of ``company`` when it has no
        active one marked default (empty otherwise), as superuser."""
        provider_sudo = self._get_default_candidate_sudo(company)
        return provider_sudo.browse() if provider_sudo.active else provider_sudo

    @api.model
    def _get_default_candidate_sudo(self, company):
        """The active provider marked default, else an archived one marked default,
        else the first active one."""
        company = company or self.env.company
        # the engine needs the provider of any user's company, whatever the user's
        # rights
        providers_sudo = self.sudo().with_context(active_test=False)
        return providers_sudo.search(
            [
                ("company_id", "=", company.id),
                "|",
                ("active", "=", True),
                ("is_default", "=", True),
            ],
            order="is_default desc, active desc, sequence, id",
            limit=1,
        ).with_context(active_test=True)

    def _get_client(self):
        """A gateway client for this provider, or a :class:`UserError` saying why not.

        For callers that show the reason to the user (test connection, balance);
        the engine, which only records it, calls :meth:`_get_client_or_reason`.
        """
        client, reason = self._get_client_or_reason()
        if reason:
            raise TitledUserError(reason, self.env._("No Auth Token"))
        return client

    def _get_client_or_reason(self):
        """``ClientOrReason``: a gateway client for this provider, or why there is none.

        The only place the auth token is read. Works for the superuser (the engine,
        the crons); any other caller must pass :meth:`_check_provider_access`
        (checked here too, raising :class:`AccessError`), so the token of a provider
        is only ever sent for someone entitled to it.
        """
        self.ensure_one()
        self._check_provider_access()
        provider_sudo = self.sudo()  # the token is read only to be sent
        if not provider_sudo.auth_token:
            return ClientOrReason(
                None,
                self.env._(
                    "The Aakash SMS provider %s has no auth token.", provider_sudo.name
                ),
            )
        client = AakashClient(
            provider_sudo.auth_token,
            base_url=provider_sudo.base_url,
            timeout=(min(10, provider_sudo.timeout), provider_sudo.timeout),
            batch_size=provider_sudo.batch_size,
        )
        return ClientOrReason(client, None)

    def _read_credit(self):
        """Call the credit endpoint, store the balance; raise UserError with a plain
        reason."""
        self.ensure_one()
        try:
            credit = self._credit_in_a_slot()
        except errors.IpNotAllowedError as exc:
            raise TitledUserError(
                self.env._(
                    "Aakash SMS refused this server's IP address (%(reason)s). On "
                    "sms.aakashsms.com, open API Service > Token and put this Odoo "
                    'server\'s public IP in "Allowed Ip".',
                    reason=exc.message,
                ),
                self.env._("IP Address Not Allowed"),
            ) from None
        except errors.AuthenticationError as exc:
            raise TitledUserError(
                self.env._(
                    "The auth token is not accepted (%(reason)s). Check it is copied "
                    "whole and its status is Active under API Service > Token.",
                    reason=exc.message,
                ),
                self.env._("Auth Token Refused"),
            ) from None
        except errors.AakashError as exc:
            raise TitledUserError(
                self.env._(
                    "Could not reach Aakash SMS: %(reason)s", reason=exc.message
                ),
                self.env._("Aakash SMS Unreachable"),
            ) from None
        # the balance fields are read-only for users; the gateway just gave them
        provider_sudo = self.sudo()
        provider_sudo.write(
            {
                "balance": credit.available,
                "total_sent": credit.total_sent,
                "balance_date": fields.Datetime.now(),
            }
        )
        return credit

    def _credit_in_a_slot(self):
        """The credit endpoint's answer, asked in one of the provider's request slots:
        its parallel requests are the gateway's limit for every request."""
        client = self._get_client()
        with one_slot(self.env.cr, self) as held:
            if not held:
                raise TitledUserError(
                    self.env._(
                        "Aakash SMS is busy: provider %(name)s has its %(count)s "
                        "parallel requests at the gateway. Try again in a moment.",
                        name=self.name,
                        count=self.parallel_requests,
                    ),
                    self.env._("Aakash SMS Busy"),
                )
            return client.credit()

    @api.model
    def _deduct_sent_credits(self, messages):
        """Lower the balance of the providers of ``messages`` (rows that just got an
        outcome) by the credits Aakash reported for them, then warn SMS managers when
        it runs low: the balance stays current between two readings of the account.

        Called once where a queue run ends (``SmsQueue.run``).
        """
        if not messages:
            return
        # one sum per provider in the database: a run may end with 100,000 rows, not
        # to be read into memory; a balance never read is not known (nothing to
        # lower, nobody to warn)
        messages.flush_model(["provider_id", "credits"])
        self.flush_model(["balance_date"])
        self.env.cr.execute(
            SQL(
                """SELECT m.provider_id, SUM(m.credits)
                     FROM aakash_sms_message m
                     JOIN aakash_sms_provider p ON p.id = m.provider_id
                    WHERE m.id = ANY(%s) AND m.credits > 0
                      AND p.balance_date IS NOT NULL
                 GROUP BY m.provider_id""",
                messages.ids,
            )
        )
        spent = dict(self.env.cr.fetchall())
        # the queue's providers, whoever sent: the balance is read-only for users
        providers_sudo = self.sudo().browse(list(spent))
        for provider in providers_sudo:
            try:
                # another worker lowering the same balance at once: one of them
                # gives up (the next run or reading corrects it), never the run
                with self.env.cr.savepoint():
                    self.env.cr.execute(
                        SQL(
                            "UPDATE aakash_sms_provider SET balance = GREATEST(0, "
                            "balance - %s), balance_date = %s WHERE id = %s",
                            spent[provider.id],
                            fields.Datetime.now(),
                            provider.id,
                        ),
                        log_exceptions=False,
                    )
            except psycopg2.errors.SerializationFailure:
                continue
            finally:
                provider.invalidate_recordset(["balance", "balance_date"])
            provider._check_low_balance()

    def action_test_connection(self):
        self.ensure_one()
        self._check_provider_access()
        credit = self._read_credit()
        return self._notify(
            self.env._("Connection works"),
            self.env._(
                "The token is valid: %(credit)s credits available.",
                credit=formatLang(self.env, credit.available, digits=0),
            ),
            "success",
        )

    def action_refresh_balance(self):
        self._check_provider_access()
        for provider in self:
            provider._read_credit()
        return self._notify(
            self.env._("Balance refreshed"),
            self.env._("Available credit: %s", self[:1].balance),
            "info",
        )

    def _notify(self, title, message, kind):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": message,
                "type": kind,
                "sticky": False,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_view_messages(self):
        """The provider's SMS log (read-only navigation: the log shows what the user
        may read)."""
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aakash_sms.action_aakash_sms_message"
        )
        action["domain"] = [("provider_id", "=", self.id)]
        return action

    @api.model
    def _cron_refresh_balance(self):
        """Read every provider's balance; warn managers when it runs low."""
        # a cron: the providers of every company
        providers_sudo = self.sudo()
        for provider in providers_sudo.search([("auth_token", "!=", False)]):
            try:
                provider._read_credit()
            except UserError as exc:
                _logger.warning(
                    "Aakash SMS: balance of provider %s could not be read: %s",
                    provider.id,
                    exc,
                )
                continue
            provider._check_low_balance()

    def _check_low_balance(self):
        """Schedule one to-do per SMS manager when the balance is under the
        threshold."""
        self.ensure_one()
        if not self.low_balance_threshold or self.balance >= self.low_balance_threshold:
            return False
        managers = self.env.ref(
            "aakash_sms.group_aakash_sms_manager"
        ).all_user_ids.filtered(
            lambda user: not user.share
            and user.active
            and self.company_id in user.company_ids
        )
        activity_type = self.env.ref("aakash_sms.mail_activity_type_low_balance")
        already = self.activity_ids.filtered(
            lambda a: a.activity_type_id == activity_type
        ).user_id
        note = self.env._(
            "Only %(balance)s credits are left on %(name)s (warning below "
            "%(threshold)s). Top up the Aakash SMS account.",
            balance=self.balance,
            name=self.name,
            threshold=self.low_balance_threshold,
        )
        days = self._days_left()
        if days is not None:
            note += " " + self.env._(
                "At this month's pace (%(per_day)s credits a day) they last about "
                "%(days)s days.",
                per_day=round(self.credits_this_month / fields.Date.today().day, 1),
                days=days,
            )
        for manager in managers - already:
            self.activity_schedule(
                "aakash_sms.mail_activity_type_low_balance",
                user_id=manager.id,
                note=note,
            )
        return True
