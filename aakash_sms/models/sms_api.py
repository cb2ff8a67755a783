"""Aakash as the SMS service of Odoo's ``sms`` module (like ``sms_twilio``).

``res.company._get_sms_api_class()`` returns :class:`SmsApiAakash` when the
company's "Send Odoo's SMS through Aakash" setting is on.  It is not a model:
it is the object Odoo's ``sms.sms._send`` talks to.
"""
from odoo import fields

from odoo.addons.sms.tools.sms_api import SmsApiBase

from ..tools import client as gateway
from ..tools import errors

# Aakash outcome -> state understood by sms.sms._send_with_api
#   queued at Aakash        -> 'success' (sms pending, notification "sent to provider")
#   the gateway may have it -> 'processing' (never reported as an error, so the
#                              "SMS failures" wizard cannot send it twice)
#   bad number              -> 'wrong_number_format' (sms_number_format)
#   token / IP refused      -> 'unregistered' (sms_acc)
#   no balance              -> 'insufficient_credit' (sms_credit)
#   anything else           -> 'server_error' (sms_server)
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

    def _send_sms_batch(self, messages, delivery_reports_url=False):
        """Send Odoo's SMS through the company's default Aakash provider.

        See ``sms/tools/sms_api.py`` for the shape of ``messages`` and of the
        result.  Every recipient is also written to the Aakash SMS log.
        """
        env = self.env
        provider = env["aakash.sms.provider"]._get_default(self.company or env.company)
        uuids = [number["uuid"] for message in messages for number in message.get("numbers") or []]
        sms_by_uuid = {sms.uuid: sms for sms in env["sms.sms"].sudo().search([("uuid", "in", uuids)])}
        results, log_vals = [], []
        for message in messages:
            content = message.get("content") or ""
            numbers = message.get("numbers") or []
            outcomes = self._send_one_text(provider, [n["number"] for n in numbers], content)
            for number, outcome in zip(numbers, outcomes):
                state, reason, result = outcome
                results.append({"uuid": number["uuid"], "state": state, "failure_reason": reason or False,
                                "credit": result.credits if result else 0})
                log_vals.append(self._log_values(provider, sms_by_uuid.get(number["uuid"]), number, content,
                                                 state, reason, result))
        env["aakash.sms.message"].sudo().create(log_vals)
        return results

    def _send_one_text(self, provider, numbers, content):
        """``[(odoo state, reason, RecipientResult or None)]`` for ``numbers``."""
        if not provider:
            reason = self.env._("No Aakash SMS provider is configured for %s.", (self.company or self.env.company).name)
            return [("unregistered", reason, None)] * len(numbers)
        try:
            recipients = provider._get_client().send(numbers, content)
        except errors.AakashError as exc:
            return [(ERROR_KIND_TO_STATE.get(exc.kind, "server_error"), exc.message, None)] * len(numbers)
        outcomes = []
        for result in recipients:
            if result.state == gateway.QUEUED:
                outcomes.append(("success", "", result))
            elif result.state in (gateway.UNCERTAIN, gateway.UNKNOWN):
                outcomes.append(("processing", result.reason, result))
            elif result.state == gateway.REJECTED:
                outcomes.append(("wrong_number_format", result.reason, result))
            else:
                outcomes.append((ERROR_KIND_TO_STATE.get(result.error_kind, "server_error"), result.reason, result))
        return outcomes

    def _log_values(self, provider, sms, number, content, state, reason, result):
        Message = self.env["aakash.sms.message"]
        mail_message = sms.mail_message_id if sms else None
        vals = {
            "res_model": mail_message.model if mail_message else False,
            "res_id": mail_message.res_id if mail_message else False,
            "record_name": mail_message.record_name if mail_message else False,
            "partner_id": sms.partner_id.id if sms else False,
            "number_raw": number["number"],
            "number": result.number if result else False,
            "body": content,
            "provider_id": provider.id,
            "company_id": (provider.company_id or self.company or self.env.company).id,
            "sms_uuid": number["uuid"],
        }
        if result:
            vals.update(Message._values_from_result(result, fields.Datetime.now()))
        else:
            vals.update(state="failed", reason=reason, gateway_status="not sent", sent_date=fields.Datetime.now())
        return vals
