import logging

from markupsafe import Markup

from odoo import fields, models

_logger = logging.getLogger(__name__)


class AccountMove(models.Model):
    _inherit = "account.move"

    aakash_sms_count = fields.Integer(
        "SMS",
        compute="_compute_aakash_sms_count",  # the base model's, as for contacts
        groups="aakash_sms.group_aakash_sms_user",
        help="SMS sent through Aakash about this document.",
    )
    aakash_sms_confirmation_sent = fields.Boolean(
        "Confirmation SMS Queued",
        copy=False,
        readonly=True,
        help="Set once the customer was texted about this invoice's confirmation; "
        "confirming it again after a reset to draft does not text again.",
    )

    def _aakash_sms_document_refusals(self):
        """Draft and cancelled entries are not texted: amounts and numbers not final."""
        reasons = {
            "draft": self.env._("the invoice is a draft: confirm it first"),
            "cancel": self.env._("the invoice is cancelled"),
        }
        return {move.id: reasons[move.state] for move in self if move.state in reasons}

    def action_aakash_sms_view_messages(self):
        return self._aakash_sms_open_log()

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._aakash_sms_queue_confirmation()
        return posted

    def _aakash_sms_queue_confirmation(self):
        """Queue the confirmation SMS of newly posted customer invoices.

        Rule: customer invoices only (no credit notes, vendor bills or
        entries), once per invoice, when the company turned it on.  Anyone who
        may post the invoice gets its SMS queued, SMS groups or not.  Nothing
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
                Message = self.env["aakash.sms.message"]
                # an empty start: the rows are the engine's, created in sudo mode
                messages_sudo = Message.sudo()
                for company, moves in to_text.grouped("company_id").items():
                    # the template is the company's setting (the poster may not read
                    # it), rendered on documents the user just posted
                    company_sudo = company.sudo()
                    template_sudo = company_sudo._aakash_sms_invoice_template()
                    bodies, problem = Message._aakash_render(
                        lambda recs, template=template_sudo: template._render_field(
                            "body", recs.ids, compute_lang=True
                        ),
                        moves,
                    )
                    # the one notification of who confirmed: when the queue is done
                    messages_sudo |= Message._aakash_create_rows(
                        moves, bodies, text_problem=problem, notify_sender=True
                    )
                # the flag is the engine's bookkeeping, not a field the poster edits
                moves_sudo = to_text.sudo()
                moves_sudo.aakash_sms_confirmation_sent = True
                messages_sudo._aakash_queue()
                to_text._aakash_sms_note_queued(messages_sudo)
        except Exception:  # noqa: BLE001 - an SMS problem must never block an invoice
            _logger.exception(
                "Aakash SMS: could not queue the confirmation SMS of invoices %s",
                to_text.ids,
            )

    def _aakash_sms_note_queued(self, messages):
        """A line on each invoice, by who confirmed it: the SMS is on its way."""
        by_move = messages.filtered(lambda m: m.state == "pending").grouped("res_id")
        for move in self:
            rows = by_move.get(move.id)
            if rows:
                move.message_post(
                    body=Markup("<p>%s</p>")
                    % self.env._("SMS to %s queued", ", ".join(rows.mapped("number"))),
                    message_type="notification",
                    subtype_xmlid="mail.mt_note",
                )
