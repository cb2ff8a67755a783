import json
from ast import literal_eval

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.aakash_sms_message import CHUNK_SIZE
from ..tools.text import measure

# the preview lists at most this many recipients (those that will not be texted first)
PREVIEW_LIMIT = 200


class AakashSmsComposer(models.TransientModel):
    _name = "aakash.sms.composer"
    _description = "Send SMS through Aakash"

    @api.model
    def default_get(self, fields_list):
        result = super().default_get(fields_list)
        context = self.env.context
        result["res_model"] = result.get("res_model") or context.get("active_model")
        if not result.get("res_ids"):
            ids = context.get("active_ids") or ([context["active_id"]] if context.get("active_id") else [])
            result["res_ids"] = json.dumps(list(ids))
        return result

    res_model = fields.Char("Document Model", required=True)
    res_ids = fields.Char("Document IDs", required=True, help="JSON list of the selected records' ids.")
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    provider_id = fields.Many2one(
        "aakash.sms.provider",
        help="Leave empty to use the default provider of each document's company.",
    )
    template_id = fields.Many2one("sms.template", "Use Template", domain="[('model', '=', res_model)]")
    body = fields.Text("Message", compute="_compute_body", store=True, readonly=False)
    line_ids = fields.One2many(
        "aakash.sms.composer.line", "composer_id", "Recipients", compute="_compute_preview", store=True,
        readonly=True,
    )
    recipient_count = fields.Integer(compute="_compute_preview", store=True)
    valid_count = fields.Integer("Valid Recipients", compute="_compute_preview", store=True)
    invalid_count = fields.Integer("Recipients Not Texted", compute="_compute_preview", store=True)
    encoding = fields.Selection(
        [("gsm7", "GSM-7 (160 per SMS)"), ("unicode", "Unicode (70 per SMS)")], compute="_compute_text_info"
    )
    segment_count = fields.Integer("SMS Parts", compute="_compute_text_info")
    credit_estimate = fields.Integer("Estimated Credits", compute="_compute_text_info")

    def _get_ids(self):
        text = self.res_ids or "[]"
        try:
            ids = json.loads(text)
        except ValueError:
            ids = literal_eval(text)  # older wizards stored repr()
        return [int(i) for i in ids]

    def _get_records(self):
        self.ensure_one()
        if not self.res_model or self.res_model not in self.env:
            return None
        return self.env[self.res_model].browse(self._get_ids())

    @api.depends("template_id", "res_ids")
    def _compute_body(self):
        for composer in self:
            if not composer.template_id:
                continue
            records = composer._get_records()
            if records is not None and len(records) == 1:
                composer.body = composer.template_id._render_field("body", records.ids, compute_lang=True)[records.id]
            else:
                composer.body = composer.template_id.body

    @api.depends("res_model", "res_ids", "provider_id")
    def _compute_preview(self):
        """Who will be texted, and why not the others: the rules of the send itself."""
        Message = self.env["aakash.sms.message"]
        for composer in self:
            records = composer._get_records()
            if records is None:
                composer.update({"line_ids": [fields.Command.clear()], "recipient_count": 0, "valid_count": 0,
                                 "invalid_count": 0})
                continue
            records = records.exists()
            # the first lines of each kind are kept, not every line (50,000 selected records)
            shown = {False: [], True: []}
            total = valid = 0
            for line in Message._aakash_preview_lines(records, composer.provider_id.sudo() or None):
                total += 1
                valid += bool(line["valid"])
                if len(shown[bool(line["valid"])]) < PREVIEW_LIMIT:
                    shown[bool(line["valid"])].append(line)
            lines = (shown[False] + shown[True])[:PREVIEW_LIMIT]  # those that will not be texted first
            composer.update({
                "line_ids": [fields.Command.clear()] + [fields.Command.create(line) for line in lines],
                "recipient_count": total,
                "valid_count": valid,
                "invalid_count": total - valid,
            })

    @api.depends("body", "valid_count")
    def _compute_text_info(self):
        for composer in self:
            info = measure(composer.body or "")
            composer.encoding = info.encoding
            composer.segment_count = info.segments
            composer.credit_estimate = info.segments * composer.valid_count

    def _prepare_bodies(self, records):
        """``{id: text}``, rendered per record (placeholders like ``{{ object.name }}``)."""
        if self.template_id and self.body == self.template_id.body:
            return self.template_id._render_field("body", records.ids, compute_lang=True)
        if "{{" not in self.body:  # plain text: nothing to render
            return dict.fromkeys(records.ids, self.body)
        return self.env["mail.render.mixin"]._render_template(self.body, records._name, records.ids)

    def action_send(self):
        """Create the rows of this send; send them at once if one request does it, else queue them.

        Recipients are looked up again on the records now (the preview is only shown).
        """
        self.ensure_one()
        if not (self.body or "").strip():
            raise UserError(self.env._("The message is empty: type a text or choose a template."))
        records = self._get_records().exists()
        records.check_access("read")
        Message = self.env["aakash.sms.message"]
        messages = Message._aakash_create_rows(
            records, self._prepare_bodies(records), provider=self.provider_id.sudo() or None)
        pending = messages.browse([
            message.id for chunk in messages._aakash_read_chunks() for message in chunk if message.state == "pending"])
        if not pending:
            problems = sorted(set(messages.mapped("reason")) - {False})
            raise UserError(self.env._(
                "None of the %(count)s selected records can be texted:\n%(reasons)s",
                count=len(records), reasons="\n".join("- %s" % reason for reason in problems[:5])))
        # (more rows than a chunk never fit one request: not even read for that)
        if len(pending) <= CHUNK_SIZE and len({(m.provider_id, m.body) for m in pending}) == 1 \
                and len(pending) <= pending.provider_id.batch_size:
            # one request does it: sent now, the outcome recorded in this transaction
            messages._post_results(messages - pending)
            pending._aakash_send_now()
        else:
            messages._aakash_queue()
        return messages._action_notify_outcome()


class AakashSmsComposerLine(models.TransientModel):
    _name = "aakash.sms.composer.line"
    _description = "Aakash SMS recipient preview"
    _order = "valid, id"

    composer_id = fields.Many2one("aakash.sms.composer", required=True, ondelete="cascade", index=True)
    res_id = fields.Integer("Document ID", readonly=True)
    record_name = fields.Char("Document", readonly=True)
    partner_id = fields.Many2one("res.partner", "Contact", readonly=True)
    number_raw = fields.Char("Number Found", readonly=True)
    number = fields.Char("Number Used", readonly=True)
    valid = fields.Boolean("Will Be Texted", readonly=True)
    reason = fields.Char("Why Not Texted", readonly=True)
