import logging
from collections import defaultdict

import psycopg2

from odoo import fields, models

from ..tools.numbers import check_number
from ..tools.sms_api import RoutedSmsApi, SmsApiAakash

_logger = logging.getLogger(__name__)


class SmsSms(models.Model):
    _inherit = "sms.sms"

    def _split_by_api(self):
        """Send the SMS of companies that route Odoo's SMS through Aakash with
        Aakash; their numbers outside Nepal, when the company routes them, with the
        service Odoo would use without Aakash (``_aakash_foreign_sms_api``)."""
        by_company = defaultdict(lambda: self.browse())
        for sms in self:
            by_company[sms._get_sms_company()] |= sms
        others = self.browse()
        for company, company_sms in by_company.items():
            if not company.aakash_sms_native:
                others |= company_sms
                continue
            foreign = self.browse()
            if company._aakash_routes_foreign_numbers():
                foreign = company_sms.filtered(
                    lambda sms: check_number(sms.number).code == "country"
                )
            if company_sms - foreign:
                sms_api = company._get_sms_api_class()(self.env)
                sms_api._set_company(company)
                yield sms_api, company_sms - foreign
            if foreign:
                yield RoutedSmsApi(*company._aakash_foreign_sms_api()), foreign
        if others:
            yield from super(SmsSms, others)._split_by_api()

    def _send(self, unlink_failed=False, unlink_sent=True, raise_exception=False):
        """Odoo's queue (``_process_queue``) sends a batch of SMS of any companies
        and numbers at once, while ``_send`` needs one service: split such a batch by
        service first (as ``send`` does), so an Aakash company and an IAP or Twilio
        company can share the queue, and an Aakash company's numbers outside Nepal
        can go through another service."""
        if self.env.context.get("sms_api"):
            return super()._send(
                unlink_failed=unlink_failed,
                unlink_sent=unlink_sent,
                raise_exception=raise_exception,
            )
        for sms_api, sms in self._split_by_api():
            sms.with_context(sms_api=sms_api)._send(
                unlink_failed=unlink_failed,
                unlink_sent=unlink_sent,
                raise_exception=raise_exception,
            )
        return None

    def _send_with_api(
        self, sms_api, unlink_failed=False, unlink_sent=True, raise_exception=False
    ):
        """Keep the SMS that wait in the Aakash queue until their outcome is written.

        Odoo marks an SMS that its service answers "processing" for deletion, and its
        clean-up (``_gc_device``) deletes it: a failure the engine finds later would
        then have no SMS to show on, nor to resend from, in Odoo's SMS list.  The
        engine writes the outcome (``_aakash_update_native_sms``): from then on Odoo's
        own rules apply (sent: deleted; error: kept).
        """
        sms = self
        if isinstance(sms_api, SmsApiAakash):
            # a mass send's notes have no notification: no live update for them
            sms = self.with_context(aakash_sms_bridge=True)
        result = super(SmsSms, sms)._send_with_api(
            sms_api,
            unlink_failed=unlink_failed,
            unlink_sent=unlink_sent,
            raise_exception=raise_exception,
        )
        if isinstance(sms_api, SmsApiAakash):
            # whoever queued them: Odoo writes their state as the superuser too
            sms_sudo = self.sudo()
            sms_sudo.filtered(
                lambda sms: sms.state == "process" and sms.to_delete
            ).to_delete = False
        elif isinstance(sms_api, RoutedSmsApi):
            self._aakash_log_routed(sms_api)
        return result

    def _aakash_log_routed(self, sms_api):
        """Write the SMS log rows of SMS sent through another service than Aakash
        (numbers outside Nepal), with their outcome: as the rows of Aakash's own SMS,
        on the same documents, so the log holds every recipient of the company."""
        sms_sudo = self.sudo().exists()
        if not sms_sudo:
            return
        rows_sudo = self.env["aakash.sms.message"].sudo()
        failure_labels = dict(
            self._fields["failure_type"]._description_selection(self.env)
        )
        gateway_label = dict(
            rows_sudo._fields["gateway"]._description_selection(self.env)
        )[sms_api.gateway]
        now = fields.Datetime.now()
        bridge = SmsApiAakash(self.env)
        # an SMS that has a live log row already keeps it (written once)
        logged = set(
            rows_sudo.search(
                [
                    ("sms_uuid", "in", sms_sudo.mapped("uuid")),
                    ("state", "not in", ("rejected", "failed")),
                ]
            ).mapped("sms_uuid")
        )
        vals_list = []
        for sms in sms_sudo.filtered(lambda sms: sms.uuid not in logged):
            vals = bridge._row_values(
                sms, {"number": sms.number, "uuid": sms.uuid}, sms.body or ""
            )
            vals.update(
                number=sms.number,
                gateway=sms_api.gateway,
                gateway_status=sms.state,
                sent_date=now,
                quiet_hours=False,
            )
            if sms.state in ("pending", "sent"):
                vals["state"] = "queued"
            elif sms_api.raised or sms.failure_type == "sms_server":
                # the request broke on its way (Twilio's client says so as a server
                # error): the service may have it
                vals.update(
                    state="uncertain",
                    error_kind="maybe_sent",
                    reason=self.env._(
                        "%(gateway)s: no clear answer (the request broke): it may "
                        "have been sent. Not resent on its own.",
                        gateway=gateway_label,
                    ),
                )
            else:
                failure = failure_labels.get(sms.failure_type) or sms.failure_type
                vals.update(
                    state="failed",
                    error_kind="validation",
                    reason=f"{gateway_label}: {failure}",
                )
            vals_list.append(vals)
        # the service has answered: nothing may now undo the sending (a rollback
        # would put the SMS back in Odoo's queue, to be sent again)
        try:
            with self.env.cr.savepoint():
                rows_sudo.create(vals_list)
        except psycopg2.IntegrityError:
            for vals in vals_list:
                try:
                    with self.env.cr.savepoint():
                        rows_sudo.create([vals])
                except psycopg2.IntegrityError:
                    _logger.warning(
                        "Aakash SMS: SMS %s already has a log row", vals["sms_uuid"]
                    )

    def _aakash_maybe_sent(self):
        """The SMS of ``self`` in error that Aakash may nevertheless have sent
        (uncertain)."""
        in_error = self.filtered(lambda sms: sms.state == "error")
        if not in_error:
            return self.browse()
        # the log rows of these SMS, whoever may read the log: only their state is used
        rows_sudo = self.env["aakash.sms.message"].sudo()
        uuids = set(
            rows_sudo.search(
                [
                    ("sms_uuid", "in", in_error.mapped("uuid")),
                    ("state", "=", "uncertain"),
                ]
            ).mapped("sms_uuid")
        )
        return in_error.filtered(lambda sms: sms.uuid in uuids)

    def resend_failed(self):
        """Odoo's "Resend" leaves out the SMS that Aakash may have sent already."""
        maybe_sent = self._aakash_maybe_sent()
        action = super(SmsSms, self - maybe_sent).resend_failed()
        if maybe_sent and isinstance(action, dict) and "params" in action:
            params = action["params"]
            params["message"] = "{}\n{}".format(
                params.get("message") or "",
                self.env._(
                    "%(count)s SMS were not resent: Aakash may already have sent "
                    "them (no clear answer came back). Check the Aakash SMS report, "
                    "and send them again from the SMS composer if they did not go "
                    "out.",
                    count=len(maybe_sent),
                ),
            )
            params["sticky"] = True
        return action
