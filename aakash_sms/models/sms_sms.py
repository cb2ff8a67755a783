from collections import defaultdict

from odoo import models

from ..tools.sms_api import SmsApiAakash


class SmsSms(models.Model):
    _inherit = "sms.sms"

    def _split_by_api(self):
        """Send the SMS of companies that route Odoo's SMS through Aakash with
        Aakash."""
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

    def _send(self, unlink_failed=False, unlink_sent=True, raise_exception=False):
        """Odoo's queue (``_process_queue``) sends a batch of SMS of any companies
        at once, while ``_send`` needs one company to pick its service: split
        such a batch by service first (as ``send`` does), so an Aakash company
        and an IAP or Twilio company can share the queue."""
        if (
            self.env.context.get("sms_api")
            or len({sms._get_sms_company() for sms in self}) <= 1
        ):
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
        result = super()._send_with_api(
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
        return result

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
