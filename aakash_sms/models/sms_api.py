"""Aakash as the SMS service of Odoo's ``sms`` module (like ``sms_twilio``).

``res.company._get_sms_api_class()`` returns :class:`SmsApiAakash` when the
company's "Send Odoo's SMS through Aakash" setting is on.  It is not a model:
it is the object Odoo's ``sms.sms._send_with_api`` talks to.
"""
import logging

from odoo import fields
from odoo.exceptions import UserError

from odoo.addons.sms.tools.sms_api import SmsApiBase

from ..tools import client as gateway
from ..tools import errors
from ..tools.numbers import check_number

_logger = logging.getLogger(__name__)

# What SmsApiAakash returns per recipient ('state' of ``_send_sms_batch``), and
# what ``sms.sms._send_with_api`` makes of it (sms state / failure type):
#   queued at Aakash             -> 'success': sms 'pending' ("Sent"), notification
#                                   'pending'; a delivery report later makes it 'sent'
#   no number                    -> 'sms_number_missing': sms_number_missing
#   invalid number (here or at Aakash) -> 'wrong_number_format': sms_number_format
#   same number twice in one text-> 'duplicate_message' (as IAP): unknown, with the reason
#   token or IP refused, no provider or no token -> 'unregistered': sms_acc
#   no balance                   -> 'insufficient_credit': sms_credit
#   Aakash may have it (timeout, dropped connection, HTML or broken reply, number not
#   listed in the reply)         -> 'server_error': sms_server, reason "may have been sent"
#   anything else (unreachable, text refused) -> 'server_error': sms_server
ERROR_KIND_TO_STATE = {
    "auth": "unregistered",
    "ip": "unregistered",
    "balance": "insufficient_credit",
}


class SmsApiAakash(SmsApiBase):
    PROVIDER_TO_SMS_FAILURE_TYPE = SmsApiBase.PROVIDER_TO_SMS_FAILURE_TYPE | {
        "unregistered": "sms_acc",
        "insufficient_credit": "sms_credit",
    }

    def _get_sms_api_error_messages(self):
        return dict(super()._get_sms_api_error_messages(), **{
            "unregistered": self.env._(
                "The Aakash SMS token was refused (check it, and this server's IP under API Service > "
                "Token on sms.aakashsms.com)."),
            "insufficient_credit": self.env._("Not enough credit on the Aakash SMS account."),
            "wrong_number_format": self.env._("Not a valid Nepali mobile number."),
            "sms_number_missing": self.env._("No number to send to."),
            "duplicate_message": self.env._("This SMS has been removed as the number was already used."),
        })

    def _send_sms_batch(self, messages, delivery_reports_url=False):
        """Send Odoo's SMS through the default Aakash provider of their company.

        See ``sms/tools/sms_api.py`` for the shape of ``messages`` and of the
        result.  One gateway call per text and company (the client splits it
        in requests of the provider's batch size).  Every recipient is also
        written to the Aakash SMS log, with the native SMS uuid.
        """
        env = self.env
        uuids = [number["uuid"] for message in messages for number in message.get("numbers") or []]
        sms_by_uuid = {sms.uuid: sms for sms in env["sms.sms"].sudo().search([("uuid", "in", uuids)])}
        providers = {}
        results, log_vals = [], []
        for message in messages:
            content = message.get("content") or ""
            by_company = {}
            for number in message.get("numbers") or []:
                company = self._company_of(sms_by_uuid.get(number["uuid"]))
                by_company.setdefault(company, []).append(number)
            for company, numbers in by_company.items():
                if company not in providers:
                    # any user may send Odoo's SMS, Aakash groups or not
                    providers[company] = env["aakash.sms.provider"]._get_default(company).sudo()
                provider = providers[company]
                outcomes = self._send_one_text(provider, company, [n["number"] for n in numbers], content)
                for number, (state, reason, result) in zip(numbers, outcomes):
                    values = {"uuid": number["uuid"], "state": state, "failure_reason": reason or False}
                    if result and result.credits:
                        values["credit"] = result.credits
                    results.append(values)
                    log_vals.append(self._log_values(
                        provider, company, sms_by_uuid.get(number["uuid"]), number, content, result))
        try:
            with env.cr.savepoint():
                env["aakash.sms.message"].sudo().create(log_vals)
        except Exception:  # pylint: disable=broad-except
            # the SMS are sent: a failing log must not make Odoo report them failed (and resend them)
            _logger.exception("Aakash SMS: could not log %d native SMS", len(log_vals))
        return results

    def _company_of(self, sms):
        """The company whose provider sends ``sms`` (the record's, as Odoo splits by it)."""
        if sms:
            return sms._get_sms_company()
        return self.company or self.env.company

    def _send_one_text(self, provider, company, numbers, content):
        """``[(odoo state, reason, RecipientResult)]`` for ``numbers``, in order.

        Missing, invalid and repeated numbers are answered here, the others
        are sent in one client call.
        """
        outcomes = [None] * len(numbers)
        to_send, seen = [], set()
        for index, raw in enumerate(numbers):
            check = check_number(raw)
            if not check.valid:
                state = "wrong_number_format" if (raw or "").strip() else "sms_number_missing"
                reason = self.env["aakash.sms.message"]._aakash_sms_refusal(check)
                outcomes[index] = (state, reason, gateway.RecipientResult(
                    str(raw or ""), "", gateway.REJECTED, reason=reason, gateway_status="not sent"))
            elif check.number in seen:
                reason = self._get_sms_api_error_messages()["duplicate_message"]
                outcomes[index] = ("duplicate_message", reason, gateway.RecipientResult(
                    str(raw), check.number, gateway.REJECTED, reason=reason, gateway_status="not sent"))
            else:
                seen.add(check.number)
                to_send.append(index)
        if not to_send:
            return outcomes
        try:
            if not provider:
                raise UserError(self.env._("No Aakash SMS provider is configured for %s.", company.name))
            client = provider._get_client()
        except UserError as exc:
            return self._fill(outcomes, numbers, to_send, "unregistered", exc.args[0])
        try:
            sent = client.send([numbers[index] for index in to_send], content)
        except errors.AakashError as exc:  # the text itself was refused, nothing was sent
            return self._fill(outcomes, numbers, to_send, ERROR_KIND_TO_STATE.get(exc.kind, "server_error"),
                              exc.message)
        for index, result in zip(to_send, sent):
            outcomes[index] = (self._state_of(result), self._reason_of(result), result)
        return outcomes

    @staticmethod
    def _fill(outcomes, numbers, indexes, state, reason):
        for index in indexes:
            outcomes[index] = (state, reason, gateway.RecipientResult(
                str(numbers[index]), check_number(numbers[index]).number, gateway.FAILED,
                reason=reason, gateway_status="not sent"))
        return outcomes

    @staticmethod
    def _state_of(result):
        if result.state == gateway.QUEUED:
            return "success"
        if result.state == gateway.REJECTED:
            return "wrong_number_format"
        if result.state == gateway.FAILED:
            return ERROR_KIND_TO_STATE.get(result.error_kind, "server_error")
        return "server_error"  # uncertain or not listed: Aakash may have it

    def _reason_of(self, result):
        if result.state in (gateway.UNCERTAIN, gateway.UNKNOWN):
            return self.env._(
                "May have been sent: %(reason)s Check the Aakash SMS report before sending it again.",
                reason=result.reason or "")
        return result.reason

    def _log_values(self, provider, company, sms, number, content, result):
        """Values of the Aakash SMS log row of one recipient."""
        mail_message = sms.mail_message_id if sms else self.env["mail.message"]
        vals = {
            "res_model": mail_message.model or False,
            "res_id": mail_message.res_id or False,
            "record_name": mail_message.record_name or False,
            "partner_id": sms.partner_id.id if sms else False,
            "number_raw": number["number"] or False,
            "number": result.number or False,
            "body": content,
            "provider_id": provider.id,
            "company_id": (provider.company_id or company).id,
            "sms_uuid": number["uuid"],
        }
        vals.update(self.env["aakash.sms.message"]._values_from_result(result, fields.Datetime.now()))
        return vals
