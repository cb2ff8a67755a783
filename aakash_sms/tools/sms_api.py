"""Aakash as the SMS service of Odoo's ``sms`` module (like ``sms_twilio``).

``res.company._get_sms_api_class()`` returns :class:`SmsApiAakash` when the
company's "Send Odoo's SMS through Aakash" setting is on.  It is not a model:
it is the object Odoo's ``sms.sms._send_with_api`` talks to.

It is an adapter: it writes one Aakash log row per Odoo SMS (with its uuid,
document and contact) and leaves the sending to the engine's queue, like every
other send path; nothing is sent inside the transaction that asked.  Refusals
known before sending (no number, invalid number, opted out, same number twice
for one text, no provider) are answered at once; the others are "processing"
until the engine has an outcome, which it writes back onto Odoo's SMS, its
notification and its marketing trace (``aakash_sms_message.py``, section "Odoo's
own SMS, the way back").  The states and failure types follow ``const.OUTCOMES``.
"""

import logging

import psycopg2

from odoo.addons.sms.tools.sms_api import SmsApiBase

_logger = logging.getLogger(__name__)


class SmsApiAakash(SmsApiBase):
    PROVIDER_TO_SMS_FAILURE_TYPE = SmsApiBase.PROVIDER_TO_SMS_FAILURE_TYPE | {
        "unregistered": "sms_acc",
        "insufficient_credit": "sms_credit",
        "blacklisted": "sms_blacklist",
    }

    def _get_sms_api_error_messages(self):
        return dict(
            super()._get_sms_api_error_messages(),
            **{
                "unregistered": self.env._(
                    "The Aakash SMS token was refused (check it, and this server's "
                    "IP under API Service > Token on sms.aakashsms.com)."
                ),
                "insufficient_credit": self.env._(
                    "Not enough credit on the Aakash SMS account."
                ),
                "wrong_number_format": self.env._("Not a valid Nepali mobile number."),
                "sms_number_missing": self.env._("No number to send to."),
                "duplicate_message": self.env._(
                    "This SMS has been removed as the number was already used."
                ),
            },
        )

    def _send_sms_batch(self, messages, delivery_reports_url=False):
        """Queue Odoo's SMS for the engine; answer what is known now.

        See ``sms/tools/sms_api.py`` for the shape of ``messages`` and of the
        result.  A uuid that already has a live row is not queued again: its
        row's state is answered instead.
        """
        env = self.env
        # the bridge writes the engine's rows for any internal user
        messages_sudo = env["aakash.sms.message"].sudo()
        numbers = [
            (message.get("content") or "", number)
            for message in messages
            for number in message.get("numbers") or []
        ]
        uuids = [number["uuid"] for _content, number in numbers]
        # Odoo's SMS of the batch, whoever queued them
        sms_sudo = env["sms.sms"].sudo()
        sms_by_uuid = {
            sms.uuid: sms for sms in sms_sudo.search([("uuid", "in", uuids)])
        }
        live = {
            row.sms_uuid: row
            for row in messages_sudo.search(
                [("sms_uuid", "in", uuids), ("state", "not in", ("rejected", "failed"))]
            )
        }
        earlier = {
            row.sms_uuid: row
            for row in messages_sudo.search(
                [
                    ("sms_uuid", "in", uuids),
                    ("state", "in", ("rejected", "failed")),
                    ("resend_id", "=", False),
                ]
            )
        }
        vals_list = []
        for content, number in numbers:
            if number["uuid"] in live:
                continue
            vals_list.append(
                self._row_values(sms_by_uuid.get(number["uuid"]), number, content)
            )
        vals_list = messages_sudo._aakash_check_values(vals_list)
        for vals in vals_list:
            if vals.get("error_kind") == "duplicate":  # as Odoo's IAP says it
                vals["reason"] = self._get_sms_api_error_messages()["duplicate_message"]
        try:
            with env.cr.savepoint():
                # the values are decided: one INSERT, as the engine's other rows
                rows = messages_sudo._aakash_insert(vals_list)
        except psycopg2.IntegrityError:
            # another transaction is queuing some of these very SMS: it sends those;
            # this one the others
            rows = messages_sudo
            for vals in vals_list:
                try:
                    with env.cr.savepoint():
                        rows |= messages_sudo._aakash_insert([dict(vals)])
                except psycopg2.IntegrityError:
                    _logger.info(
                        "Aakash SMS: SMS %s is already queued by another transaction",
                        vals["sms_uuid"],
                    )
        for row in rows:
            if row.sms_uuid in earlier:
                earlier[row.sms_uuid].resend_id = row
        rows._aakash_queue()
        by_uuid = dict(live, **{row.sms_uuid: row for row in rows})
        results = []
        for uuid in uuids:
            if uuid not in by_uuid:
                results.append({"uuid": uuid, "state": "processing"})
                continue
            state, reason = by_uuid[uuid]._aakash_provider_state()
            values = {"uuid": uuid, "state": state}
            if reason:
                values["failure_reason"] = reason
            results.append(values)
        return results

    def _row_values(self, sms, number, content):
        """Values of the log row of one Odoo SMS: its document, contact, company and
        number."""
        company = self._company_of(sms)
        document = sms.mail_message_id if sms else self.env["mail.message"]
        res_model, res_id, record_name = (
            document.model,
            document.res_id,
            document.record_name,
        )
        if (
            sms
            and not res_model
            and "mailing_trace_ids" in sms._fields
            and sms.mailing_trace_ids
        ):
            trace = sms.mailing_trace_ids[:1]  # SMS marketing: the contact texted
            res_model, res_id = trace.model, trace.res_id
        if res_model and res_id and not record_name and res_model in self.env:
            # the document's name on the log row, as Odoo's own SMS message shows it
            # sudo: whoever queued the SMS, the name is shown on the log row only
            document_sudo = self.env[res_model].sudo().browse(res_id).exists()
            record_name = document_sudo.display_name
        user = (document.author_id.user_ids[:1] if document else False) or self.env.user
        return {
            "res_model": res_model or False,
            "res_id": res_id or False,
            "record_name": record_name or False,
            "partner_id": sms.partner_id.id if sms else False,
            "number_raw": number["number"] or False,
            "body": content,
            # SMS marketing waits for the sending hours; Odoo's other SMS do not
            "quiet_hours": bool(sms and "mailing_id" in sms._fields and sms.mailing_id),
            "company_id": company.id,
            "sms_uuid": number["uuid"],
            "user_id": user.id,
            "send_ref": "sms:%s"
            % (
                sms.mailing_id.id
                if sms and "mailing_id" in sms._fields and sms.mailing_id
                else number["uuid"]
            ),
        }

    def _company_of(self, sms):
        """The company whose provider sends ``sms`` (the record's, as Odoo splits by
        it)."""
        if sms:
            return sms._get_sms_company()
        return self.company or self.env.company


class RoutedSmsApi:
    """The service Odoo would use without Aakash (Odoo's IAP, Twilio) carrying a
    bridged company's numbers outside Nepal.

    It is that service's API, remembering which gateway it is (the log's
    ``gateway``) and whether its request raised: Odoo then marks the SMS in error,
    but the service may have it, so its log row is ``uncertain``.
    """

    def __init__(self, api, gateway):
        self.api = api
        self.gateway = gateway
        self.raised = False

    def __getattr__(self, name):
        return getattr(self.api, name)

    def _send_sms_batch(self, messages, delivery_reports_url=False):
        self.raised = False
        try:
            return self.api._send_sms_batch(
                messages, delivery_reports_url=delivery_reports_url
            )
        except Exception:
            self.raised = True
            raise
