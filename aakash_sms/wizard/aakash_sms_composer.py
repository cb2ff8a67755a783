from ast import literal_eval
from uuid import uuid4

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.numbers import check_number
from ..tools.text import measure


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
            result["res_ids"] = repr(ids)
        return result

    res_model = fields.Char("Document Model", required=True)
    res_ids = fields.Char("Document IDs", required=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    provider_id = fields.Many2one(
        "aakash.sms.provider",
        help="Leave empty to use the default provider of each document's company.",
    )
    template_id = fields.Many2one("sms.template", "Use Template", domain="[('model', '=', res_model)]")
    body = fields.Text("Message", compute="_compute_body", store=True, readonly=False)
    line_ids = fields.One2many(
        "aakash.sms.composer.line", "composer_id", "Recipients", compute="_compute_line_ids", store=True
    )
    recipient_count = fields.Integer(compute="_compute_counts")
    valid_count = fields.Integer("Valid Recipients", compute="_compute_counts")
    invalid_count = fields.Integer("Recipients Without a Usable Number", compute="_compute_counts")
    encoding = fields.Selection(
        [("gsm7", "GSM-7 (160 per SMS)"), ("unicode", "Unicode (70 per SMS)")], compute="_compute_text_info"
    )
    segment_count = fields.Integer("SMS Parts", compute="_compute_text_info")
    credit_estimate = fields.Integer("Estimated Credits", compute="_compute_text_info")

    def _get_records(self):
        self.ensure_one()
        if not self.res_model or self.res_model not in self.env:
            return None
        return self.env[self.res_model].browse(literal_eval(self.res_ids or "[]"))

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

    @api.depends("res_model", "res_ids")
    def _compute_line_ids(self):
        for composer in self:
            records = composer._get_records()
            if records is None:
                composer.line_ids = [fields.Command.clear()]
                continue
            recipients = records._aakash_sms_get_recipients()
            lines = []
            for record in records:
                partner, raw = recipients[record.id]
                check = check_number(raw)
                lines.append(fields.Command.create({
                    "res_id": record.id, "record_name": record.display_name, "partner_id": partner.id,
                    "number_raw": raw or False, "number": check.number or False,
                    "valid": check.valid, "reason": self._aakash_sms_refusal(check) or False,
                }))
            composer.line_ids = [fields.Command.clear()] + lines

    @api.depends("line_ids.valid")
    def _compute_counts(self):
        for composer in self:
            composer.recipient_count = len(composer.line_ids)
            composer.valid_count = len(composer.line_ids.filtered("valid"))
            composer.invalid_count = composer.recipient_count - composer.valid_count

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
        self.ensure_one()
        if not (self.body or "").strip():
            raise UserError(self.env._("The message is empty: type a text or choose a template."))
        if not self.valid_count:
            raise UserError(self.env._(
                "None of the %s selected records has a usable Nepali mobile number. "
                "Check the list of recipients.", self.recipient_count))
        records = self._get_records()
        records.check_access("read")
        Message = self.env["aakash.sms.message"].sudo()
        previewed = {line.res_id: (line.partner_id, line.number_raw or "") for line in self.line_ids}
        vals_list = Message._prepare_for_records(
            records, self._prepare_bodies(records), provider=self.provider_id, recipients=previewed
        )
        send_ref = uuid4().hex
        for vals in vals_list:
            vals["send_ref"] = send_ref
        messages = Message.create(vals_list)
        messages._dispatch()
        return messages._action_notify_outcome()


class AakashSmsComposerLine(models.TransientModel):
    _name = "aakash.sms.composer.line"
    _description = "Aakash SMS recipient preview"
    _order = "valid, id"

    composer_id = fields.Many2one("aakash.sms.composer", required=True, ondelete="cascade", index=True)
    res_id = fields.Integer("Document ID")
    record_name = fields.Char("Document")
    partner_id = fields.Many2one("res.partner", "Contact")
    number_raw = fields.Char("Number Found")
    number = fields.Char("Number Used")
    valid = fields.Boolean()
    reason = fields.Char("Why Not")
