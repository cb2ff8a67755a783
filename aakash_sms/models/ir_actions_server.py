from odoo import api, fields, models

from ..const import CHUNK_SIZE
from ..tools.text import gsm_safe, measure, text_problem


class IrActionsServer(models.Model):
    """Add "Send SMS (Aakash)" to server actions (and so to automation rules)."""

    _name = "ir.actions.server"
    _inherit = ["ir.actions.server", "aakash.sms.text.mixin"]
    _aakash_sms_text_fields = ("aakash_sms_body",)

    state = fields.Selection(
        selection_add=[("aakash_sms", "Send SMS (Aakash)")],
        ondelete={"aakash_sms": "cascade"},
    )
    aakash_sms_provider_id = fields.Many2one(
        "aakash.sms.provider",
        "Aakash Provider",
        ondelete="set null",
        help="Leave empty to use the default provider of each record's company.",
    )
    aakash_sms_template_id = fields.Many2one(
        "sms.template",
        "Aakash SMS Template",
        ondelete="set null",
        compute="_compute_aakash_sms_template_id",
        store=True,
        readonly=False,
        domain="[('model_id', '=', model_id)]",
    )
    aakash_sms_body = fields.Text(
        "Aakash SMS Text",
        help="Used when no template is chosen. Placeholders such as "
        "{{ object.name }} are rendered for each record.",
    )
    aakash_sms_text_summary = fields.Char(
        "Length", compute="_compute_aakash_sms_text_summary"
    )
    aakash_sms_recipient = fields.Selection(
        [("default", "The record's customer"), ("field", "A field of the record")],
        string="Text To",
        default="default",
    )
    aakash_sms_field_id = fields.Many2one(
        "ir.model.fields",
        "Recipient Field",
        ondelete="cascade",
        domain="[('model_id', '=', model_id), '|', ('ttype', '=', 'char'), "
        "'&', ('ttype', '=', 'many2one'), ('relation', '=', 'res.partner')]",
        help="A contact field (its number is used) or a phone number field of the "
        "record.",
    )

    @api.depends("aakash_sms_body", "aakash_sms_template_id")
    def _compute_aakash_sms_text_summary(self):
        """The counter of the text as typed (placeholders not filled in yet)."""
        for action in self:
            text = action.aakash_sms_template_id.body or action.aakash_sms_body or ""
            if not text.strip():
                action.aakash_sms_text_summary = False
                continue
            info = measure(gsm_safe(text))
            encoding = "GSM-7" if info.encoding == "gsm7" else "Unicode"
            if info.segments == 1:
                summary = self.env._(
                    "%(encoding)s: %(length)s characters, 1 SMS part per record "
                    "before the placeholders are filled in",
                    encoding=encoding,
                    length=info.length,
                )
            else:
                summary = self.env._(
                    "%(encoding)s: %(length)s characters, %(parts)s SMS parts per "
                    "record before the placeholders are filled in",
                    encoding=encoding,
                    length=info.length,
                    parts=info.segments,
                )
            action.aakash_sms_text_summary = summary

    aakash_sms_delay = fields.Integer(
        "Send After",
        help="Wait this long after the action runs before the SMS goes out "
        "(0: at once).",
    )
    aakash_sms_delay_unit = fields.Selection(
        [("minutes", "Minutes"), ("hours", "Hours"), ("days", "Days")],
        "Delay Unit",
        default="minutes",
    )

    aakash_sms_at_once = fields.Boolean(
        "Send at Once",
        help="Any hour: not held for the company's sending hours (a text the "
        "customer expects at once, such as a confirmation).",
    )

    def _aakash_sms_due_date(self):
        """When this action's SMS go out (``None``: at once)."""
        if self.aakash_sms_delay <= 0:
            return None
        return fields.Datetime.add(
            fields.Datetime.now(),
            **{self.aakash_sms_delay_unit or "minutes": self.aakash_sms_delay},
        )

    def _name_depends(self):
        return [*super()._name_depends(), "aakash_sms_template_id"]

    def _generate_action_name(self):
        self.ensure_one()
        if self.state == "aakash_sms":
            return self.env._(
                "Send SMS (Aakash): %s",
                self.aakash_sms_template_id.name or self.model_id.name,
            )
        return super()._generate_action_name()

    @api.depends("model_id", "state")
    def _compute_aakash_sms_template_id(self):
        for action in self:
            if (
                action.state != "aakash_sms"
                or action.aakash_sms_template_id.model_id != action.model_id
            ):
                action.aakash_sms_template_id = False

    @api.model
    def _warning_depends(self):
        return super()._warning_depends() + [
            "aakash_sms_template_id",
            "aakash_sms_body",
            "aakash_sms_field_id",
        ]

    def _get_warning_messages(self):
        self.ensure_one()
        warnings = super()._get_warning_messages()
        if self.state == "aakash_sms":
            body_problem = text_problem(self.aakash_sms_body or "", max_segments=0)
            if not self.aakash_sms_template_id and body_problem:
                warnings.append(self.env._("Choose an SMS template or type a text."))
            if self.aakash_sms_recipient == "field" and not self.aakash_sms_field_id:
                warnings.append(
                    self.env._("Choose the field that holds the recipient.")
                )
        return warnings

    def _run_action_aakash_sms_multi(self, eval_context=None):
        if self._is_recompute():
            return False
        records = eval_context.get("records") or eval_context.get("record")
        if not records:
            return False
        # the action's own settings: whoever triggers it may not read templates or
        # providers
        action_sudo = self.sudo()
        # a person running the action is told when it is done; an automation rule's
        # SMS are not announced
        notify_sender = "__action_done" not in self.env.context
        if len(records) > CHUNK_SIZE:
            # work that grows with the records: one send, prepared by the queue
            self.env["aakash.sms.send"]._aakash_create_send(
                records.browse(),
                [("id", "in", records.ids)],
                {
                    "server_action_id": self.id,
                    "provider_id": action_sudo.aakash_sms_provider_id.id,
                    "company_id": self.env.company.id,
                    "notify_sender": notify_sender,
                    "scheduled_date": action_sudo._aakash_sms_due_date(),
                    "quiet_hours": not action_sudo.aakash_sms_at_once,
                },
            )
            return False
        bodies, problem, recipients = self._aakash_sms_texts(records)
        # Never sent inside the transaction that fired the action (an import, a rule):
        # queued
        self.env["aakash.sms.message"]._aakash_create_rows(
            records,
            bodies,
            provider=action_sudo.aakash_sms_provider_id or None,
            recipients=recipients,
            text_problem=problem,
            notify_sender=notify_sender,
            values={
                "next_attempt_date": action_sudo._aakash_sms_due_date(),
                "quiet_hours": not action_sudo.aakash_sms_at_once,
            },
        )._aakash_queue()
        return False

    def _aakash_sms_texts(self, records):
        """``(bodies, problem, recipients)`` of ``records`` by this action's settings:
        its text or template rendered once per record, its recipients."""
        action_sudo = self.sudo()
        Message = self.env["aakash.sms.message"]
        if action_sudo.aakash_sms_template_id:
            bodies, problem = Message._aakash_render(
                lambda recs: action_sudo.aakash_sms_template_id._render_field(
                    "body", recs.ids, compute_lang=True
                ),
                records,
            )
        else:
            # an administrator's text, rendered whoever fires the action (as for the
            # template)
            render_sudo = self.env["mail.render.mixin"].sudo()
            bodies, problem = Message._aakash_render(
                lambda recs: render_sudo._render_template(
                    action_sudo.aakash_sms_body or "", recs._name, recs.ids
                ),
                records,
            )
        return bodies, problem, action_sudo._aakash_sms_recipients(records)

    def _aakash_sms_recipients(self, records):
        """``{id: (partner, number)}`` following the action's recipient setting."""
        field = self.aakash_sms_field_id
        if self.aakash_sms_recipient != "field" or not field:
            return records._aakash_sms_get_recipients()
        if field.ttype == "many2one":
            partners = records.mapped(field.name)
            by_partner = partners._aakash_sms_get_recipients()
            return {
                record.id: by_partner.get(
                    record[field.name].id, (record[field.name], "")
                )
                for record in records
            }
        partners_by_record = records._mail_get_partners()
        return {
            record.id: (
                partners_by_record.get(record.id, self.env["res.partner"])[:1],
                record[field.name] or "",
            )
            for record in records
        }
