import logging

from odoo import fields, models

_logger = logging.getLogger(__name__)


class AccountMove(models.Model):
    _inherit = "account.move"

    aakash_sms_confirmation_sent = fields.Boolean(
        "Confirmation SMS Queued", copy=False, readonly=True,
        help="Set once the customer was texted about this invoice's confirmation; "
        "confirming it again after a reset to draft does not text again.",
    )

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._aakash_sms_queue_confirmation()
        return posted

    def _aakash_sms_queue_confirmation(self):
        """Queue the confirmation SMS of newly posted customer invoices.

        Rule: customer invoices only (no credit notes, vendor bills or
        entries), once per invoice, when the company turned it on.  Nothing
        is sent inside the posting transaction: the rows are queued for the
        cron, and any error here is logged, never raised, so confirming an
        invoice cannot fail because of SMS.
        """
        to_text = self.filtered(
            lambda move: move.move_type == "out_invoice"
            and move.state == "posted"
            and not move.aakash_sms_confirmation_sent
            and move.company_id.aakash_sms_invoice_confirm
        )
        if not to_text:
            return
        try:
            with self.env.cr.savepoint():
                Message = self.env["aakash.sms.message"].sudo()
                messages = Message
                for company, moves in to_text.grouped("company_id").items():
                    template = company._aakash_sms_invoice_template()
                    bodies = template._render_field("body", moves.ids, compute_lang=True)
                    messages |= Message.create(Message._prepare_for_records(moves, bodies))
                to_text.sudo().aakash_sms_confirmation_sent = True
                messages._post_results(messages.filtered(lambda m: m.state != "pending"))
                if messages.filtered(lambda m: m.state == "pending"):
                    self.env.ref("aakash_sms.ir_cron_aakash_sms_send")._trigger()
        except Exception:  # noqa: BLE001 - an SMS problem must never block an invoice
            _logger.exception("Aakash SMS: could not queue the confirmation SMS of invoices %s", to_text.ids)
