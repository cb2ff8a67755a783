import json
import unicodedata

from odoo import api, fields, models
from odoo.tools.misc import format_datetime, formatLang

from ..const import CHUNK_SIZE, PREVIEW_LIMIT, PREVIEW_MAX_IDS, PREVIEW_SAMPLE
from ..exceptions import TitledUserError
from ..models.aakash_sms_send import dump_domain, load_domain
from ..tools.text import (
    MAX_SEGMENTS,
    gsm_safe,
    is_gsm7,
    lookalikes_replaced,
    measure,
    text_problem,
    unicode_words,
)


class AakashSmsComposer(models.TransientModel):
    _name = "aakash.sms.composer"
    _inherit = ["aakash.sms.text.mixin"]
    _aakash_sms_text_fields = ("body",)
    _description = "Send SMS through Aakash"

    @api.model
    def default_get(self, fields_list):
        result = super().default_get(fields_list)
        context = self.env.context
        result["res_model"] = result.get("res_model") or context.get("active_model")
        if not result.get("res_ids"):
            ids = context.get("active_ids") or (
                [context["active_id"]] if context.get("active_id") else []
            )
            result["res_ids"] = json.dumps(list(ids))
        result.update(self._aakash_selection_defaults(result))
        return result

    @api.model
    def _aakash_selection_defaults(self, result):
        """A selection over a whole list ("Select all"): the send covers the domain,
        the preview its first records.

        The web client always adds the list's ``active_domain``, with at most
        ``web.active_ids_limit`` ids: the domain is the selection when every id could
        not be given, when the ids are the whole domain ("Select all") or when asked
        with ``use_active_domain``, as Odoo's mail composer does with ``res_domain``.
        """
        context = self.env.context
        domain = context.get("active_domain")
        if domain is None or result.get("res_domain"):
            return {}
        ids = json.loads(result.get("res_ids") or "[]")
        # the web client's own limit on the ids it gives
        limit = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("web.active_ids_limit", default="20000")
        )
        model = result.get("res_model")
        if not model or model not in self.env:
            return {}
        whole = (
            context.get("use_active_domain")
            or not ids
            or len(ids) >= limit
            or (
                len(ids) > PREVIEW_SAMPLE
                and self.env[model].search_count(domain) == len(ids)
            )
        )
        if not whole:
            return {}
        sample = self.env[model].search(domain, limit=PREVIEW_SAMPLE, order="id")
        return {"res_domain": dump_domain(domain), "res_ids": json.dumps(sample.ids)}

    res_model = fields.Char("Document Model", required=True)
    res_ids = fields.Char(
        "Document IDs", required=True, help="JSON list of the selected records' ids."
    )
    res_domain = fields.Text(
        "Selected Documents",
        help="All the documents of this domain are texted (a selection over the "
        "whole list); the preview shows the first of them.",
    )
    selection_note = fields.Char(compute="_compute_selection_note")
    scheduled_date = fields.Datetime(
        "Send At",
        default=fields.Datetime.now,
        help="In your time zone. The SMS wait in the queue until then; until they "
        "leave, the send can be canceled from the SMS log.",
    )
    schedule_note = fields.Char("When", compute="_compute_schedule_note")
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    provider_id = fields.Many2one(
        "aakash.sms.provider",
        help="Leave empty to use the default provider of each document's company.",
    )
    template_id = fields.Many2one(
        "sms.template", "Use Template", domain="[('model', '=', res_model)]"
    )
    body = fields.Text("Message", compute="_compute_body", store=True, readonly=False)
    body_rendered = fields.Boolean(
        "Template Filled In",
        compute="_compute_body",
        store=True,
        readonly=False,
        help="The message is the template already filled in for the one selected "
        "record: it is sent as it is, never filled in again.",
    )
    line_ids = fields.One2many(
        "aakash.sms.composer.line",
        "composer_id",
        "Recipients",
        compute="_compute_preview",
        store=True,
        readonly=True,
    )
    recipient_count = fields.Integer(compute="_compute_preview", store=True)
    valid_count = fields.Integer(
        "Valid Recipients", compute="_compute_preview", store=True
    )
    invalid_count = fields.Integer(
        "Recipients Not Texted", compute="_compute_preview", store=True
    )
    valid_res_ids = fields.Char(
        compute="_compute_preview",
        store=True,
        help="JSON list of the records that will be texted.",
    )
    invalid_summary = fields.Char(compute="_compute_preview", store=True)
    # what the text costs, measured on the texts as they will travel
    encoding = fields.Selection(
        [("gsm7", "GSM-7 (160 per SMS)"), ("unicode", "Unicode (70 per SMS)")],
        compute="_compute_text_info",
    )
    segment_count = fields.Integer(
        "SMS Parts",
        compute="_compute_text_info",
        help="SMS parts of the longest text of this send.",
    )
    credit_estimate = fields.Integer("Estimated Credits", compute="_compute_text_info")
    is_personalised = fields.Boolean(
        compute="_compute_text_info",
        help="The text differs per recipient (placeholders or a template).",
    )
    preview_body = fields.Text(
        "Preview",
        compute="_compute_text_info",
        help="The text the first recipient will receive.",
    )
    preview_title = fields.Char(compute="_compute_text_info")
    text_summary = fields.Char("Length", compute="_compute_text_info")
    unicode_note = fields.Char(compute="_compute_text_info")
    lookalike_note = fields.Char("Look-Alikes Replaced", compute="_compute_text_info")
    balance_note = fields.Char("Balance", compute="_compute_balance_note")
    send_blocker = fields.Char(
        compute="_compute_text_info",
        help="Why the SMS cannot be sent as it is (empty when it can).",
    )
    # the credit guard: what the provider's balance (its last reading) cannot pay for
    credit_shortfall = fields.Char(compute="_compute_credit_shortfall")
    # bulk sends only (several records): transactional texts never carry it
    opt_out_link = fields.Boolean(
        "Add an Opt-out Link",
        help="Each text ends with a short link where its recipient can stop SMS from "
        "you (their number goes on the SMS blacklist). Counted in the characters and "
        "credits; each recipient's text then differs.",
    )

    @api.depends("res_model", "res_domain", "res_ids")
    def _compute_selection_note(self):
        for composer in self:
            composer.selection_note = False
            if not composer.res_domain and len(composer._get_ids()) <= CHUNK_SIZE:
                continue
            total = composer._aakash_selection_count()
            composer.selection_note = self.env._(
                "%(count)s records selected: the preview shows the first "
                "%(shown)s. Each recipient is checked when the queue prepares the "
                "send; you are notified when it is done.",
                count=formatLang(self.env, total, digits=0),
                shown=formatLang(
                    self.env,
                    min(total, len(composer._get_ids()), PREVIEW_MAX_IDS),
                    digits=0,
                ),
            )

    @api.depends("scheduled_date", "res_ids", "res_domain", "company_id")
    def _compute_schedule_note(self):
        for composer in self:
            later = composer._aakash_scheduled_at()
            notes = [composer._aakash_schedule_text(later)] if later else []
            # a send to several recipients waits for the sending hours
            if composer.res_domain or len(composer._get_ids()) > 1:
                opening = composer.company_id._aakash_window_openings(
                    later or fields.Datetime.now()
                ).get(composer.company_id.id)
                if opening:
                    notes.append(
                        self.env._(
                            "Outside the sending window: will go out at %s.",
                            format_datetime(self.env, opening, dt_format="short"),
                        )
                    )
            composer.schedule_note = " ".join(notes) or False

    def _aakash_scheduled_at(self):
        """When this send goes out, if later than now (``None``: at once)."""
        later = self.scheduled_date
        return later if later and later > fields.Datetime.now() else None

    def _aakash_schedule_text(self, when):
        """ "Will be sent on ..." in the user's language and time zone."""
        return self.env._(
            "Will be sent on %s.", format_datetime(self.env, when, dt_format="medium")
        )

    def _aakash_is_sample(self):
        """Whether the preview checks only the first records of the selection: a
        selection over a domain ("select all"), or more ticked records than the web
        client gives (:data:`~..const.PREVIEW_MAX_IDS`: the click does not grow with
        the selection; the queue checks every record when it prepares the send)."""
        return bool(self.res_domain or len(self._get_ids()) > PREVIEW_MAX_IDS)

    def _aakash_selection_count(self):
        """How many documents this send covers (the domain's count for a selection
        over a domain)."""
        if self.res_domain and self.res_model in self.env:
            return self.env[self.res_model].search_count(load_domain(self.res_domain))
        return len(self._get_ids())

    def _get_ids(self):
        return [int(i) for i in json.loads(self.res_ids or "[]")]

    def _get_records(self):
        self.ensure_one()
        if not self.res_model or self.res_model not in self.env:
            return None
        return self.env[self.res_model].browse(self._get_ids())

    @api.depends("template_id", "res_ids")
    def _compute_body(self):
        """The template's text: filled in for one record (what it will receive), its
        source for several (filled in for each when sent).

        A filled-in text is the record's data (a customer's name may hold ``{{``): it
        is text from then on, never rendered again, even once edited.  Removing the
        template removes its text.
        """
        for composer in self:
            if not composer.template_id:
                if composer.body_rendered:
                    composer.body = False
                composer.body_rendered = False
                continue
            records = composer._get_records()
            if records is not None and len(records) == 1:
                composer.body = composer.template_id._render_field(
                    "body", records.ids, compute_lang=True
                )[records.id]
                composer.body_rendered = True
            else:
                composer.body = composer.template_id.body
                composer.body_rendered = False

    @api.depends("res_model", "res_ids", "provider_id")
    def _compute_preview(self):
        """Who will be texted, and why not the others: the rules of the send itself."""
        Message = self.env["aakash.sms.message"]
        for composer in self:
            records = composer._get_records()
            if records is None:
                composer.update(
                    {
                        "line_ids": [fields.Command.clear()],
                        "recipient_count": 0,
                        "valid_count": 0,
                        "invalid_count": 0,
                        "valid_res_ids": "[]",
                        "invalid_summary": False,
                    }
                )
                continue
            # more ticked records than the web client gives: the first of them
            # (:meth:`_aakash_is_sample`)
            records = records[:PREVIEW_MAX_IDS].exists()
            # the first lines of each kind are kept, not every line (50,000 selected
            # records)
            shown = {False: [], True: []}
            total = 0
            valid_ids = []
            # the chosen provider as the engine will use it (sudo: the user may
            # not read providers; its company is checked there)
            provider_sudo = composer.provider_id.sudo() or None
            for line in Message._aakash_preview_lines(
                records, provider_sudo, names=False
            ):
                total += 1
                if line["valid"]:
                    valid_ids.append(line["res_id"])
                line["status"] = (
                    # a refusal, or how a number outside Nepal is sent
                    line["reason"] or self.env._("will be texted")
                )
                if len(shown[bool(line["valid"])]) < PREVIEW_LIMIT:
                    shown[bool(line["valid"])].append(line)
            # those that will not be texted first; the names of those shown only
            lines = (shown[False] + shown[True])[:PREVIEW_LIMIT]
            names = records.browse([line["res_id"] for line in lines])
            for line, record in zip(lines, names, strict=True):
                line["record_name"] = record.display_name
            composer.update(
                {
                    "line_ids": [fields.Command.clear()]
                    + [fields.Command.create(line) for line in lines],
                    "recipient_count": total,
                    "valid_count": len(valid_ids),
                    "invalid_count": total - len(valid_ids),
                    "valid_res_ids": json.dumps(valid_ids),
                    "invalid_summary": composer._invalid_summary(
                        total, total - len(valid_ids)
                    ),
                }
            )

    def _invalid_summary(self, total, invalid):
        if not invalid:
            return False
        if total == 1:
            return self.env._(
                "The selected record will not be texted (the reason is in the list "
                "below)."
            )
        if invalid == total:
            return self.env._(
                "None of the %(count)s selected records will be texted (the reasons "
                "are in the list below).",
                count=total,
            )
        return self.env._(
            "%(invalid)s of %(count)s selected records will not be texted (the "
            "reasons are in the list below); they are recorded as rejected.",
            invalid=invalid,
            count=total,
        )

    def _get_provider(self):
        """The provider that will most likely send (the chosen one, else the
        company's default)."""
        # sudo, as the engine uses it: the user may not read providers
        provider_sudo = self.provider_id.sudo()
        return provider_sudo or self.env["aakash.sms.provider"]._get_default_sudo(
            self.company_id
        )

    def _texts_as_sent(self, ids=None):
        """``(records, {id: text as it will travel})`` for the recipients that will
        be texted (the preview's, else those of ``ids``).

        Rendered in one batch call for all of them; ``gsm_safe`` applied when the
        provider does it.  A plain text (no placeholder) is rendered once.
        """
        records = self._get_records()
        if records is None or not (self.body or "").strip():
            return None, {}
        if ids is None:
            try:
                ids = json.loads(self.valid_res_ids or "[]")
            except ValueError:
                ids = []
        records = records.browse(ids)
        bodies = self._prepare_bodies(records) if records else {}
        provider = self._get_provider()
        if provider and not provider.gsm_safe:
            return records, bodies
        safe = {}
        for text in set(bodies.values()):
            safe[text] = gsm_safe(text or "")
        return records, {res_id: safe[text] for res_id, text in bodies.items()}

    def _is_personalised(self):
        if self.body_rendered:
            return False
        if self.template_id and self.body == self.template_id.body:
            return "{{" in (self.body or "") or "{%" in (self.body or "")
        return "{{" in (self.body or "")

    @api.depends(
        "body",
        "template_id",
        "valid_res_ids",
        "provider_id",
        "opt_out_link",
        "res_domain",
        "res_ids",
    )
    def _compute_text_info(self):
        for composer in self:
            composer._set_text_info()

    def _set_text_info(self):
        personalised = self._is_personalised()
        render_error = False
        try:
            records, texts = self._texts_as_sent() if personalised else (None, {})
        except Exception as exc:  # noqa: BLE001 - a half-typed placeholder: say so, do not break the form  # pylint: disable=broad-except
            records, texts = None, {}
            render_error = self.env._(
                "The placeholders cannot be filled in: %s",
                (
                    str(exc.args[0] if exc.args else exc) or type(exc).__name__
                ).splitlines()[0],
            )
        provider = self._get_provider()
        gsm = not provider or provider.gsm_safe
        if personalised and records:
            first = records[:1]
            first_text = texts.get(first.id) or ""
            title = self.env._("As %(name)s will receive it", name=first.display_name)
        else:
            first_text = gsm_safe(self.body or "") if gsm else (self.body or "")
            title = False
        if self._opt_out_wanted():
            first_text, texts = self._with_opt_out_links(first_text, texts, records)
        info = measure(first_text)
        if personalised and texts:
            measures = [measure(text).segments for text in texts.values()]
            credit_count, most, least = sum(measures), max(measures), min(measures)
        else:
            credit_count, most, least = (
                info.segments * self.valid_count,
                info.segments,
                info.segments,
            )
        recipients = self.valid_count
        if self.recipient_count and self._aakash_is_sample():
            # the preview's first records stand for the whole selection: what the
            # credit guard compares with the balance
            total = self._aakash_selection_count()
            if total > self.recipient_count:
                credit_count = -(-credit_count * total // self.recipient_count)
                recipients = -(-recipients * total // self.recipient_count)
        source = first_text if personalised and records else (self.body or "")
        self.update(
            {
                "is_personalised": bool(personalised and records),
                "preview_body": first_text
                if (personalised and records) or self._opt_out_wanted()
                else False,
                "preview_title": title,
                "encoding": info.encoding,
                "segment_count": most,
                "credit_estimate": credit_count,
                "text_summary": self._text_summary(
                    info, least, most, credit_count, recipients
                )
                if (self.body or "").strip()
                else False,
                "unicode_note": self._unicode_note(source, gsm),
                "lookalike_note": self._lookalike_note(source, gsm),
                "send_blocker": render_error or self._send_blocker(most),
            }
        )

    def _unicode_note(self, text, gsm):
        """Why ``text`` travels as Unicode: the words that make it so (whole words,
        so Devanagari vowel signs stay on their letters), or False."""
        if gsm:
            words = unicode_words(text)
        else:
            forcing = {ch for ch in text if not is_gsm7(ch) and ch not in "\n\r"}
            words = list(
                dict.fromkeys(w for w in text.split() if forcing.intersection(w))
            )
        if not words:
            return False
        limit = 8
        return self.env._(
            "Unicode (70 characters per SMS instead of 160) because of: %s",
            " · ".join(words[:limit]) + (" …" if len(words) > limit else ""),
        )

    def _lookalike_note(self, text, gsm):
        """The look-alike characters replaced so that the text stays GSM-7 (or
        False): what the preview and the counter measure is not what was typed."""
        pairs = lookalikes_replaced(text or "") if gsm else []
        if not pairs:
            return False

        def shown(char):
            if char == " ":
                return self.env._("space")
            if not char:
                return self.env._("nothing")
            if char.isspace() or unicodedata.category(char) in ("Cf", "Zs"):
                return f"U+{ord(char):04X}"
            return char

        return self.env._(
            "Replaced to stay GSM-7 (160 characters per SMS): %s",
            ", ".join(f"{shown(char)} → {shown(new)}" for char, new in pairs),
        )

    def _text_summary(self, info, least, most, credit_count, recipients):
        """One line: encoding, characters, parts, credits (of ``recipients``), with
        singular and plural."""
        encoding = "GSM-7" if info.encoding == "gsm7" else "Unicode"
        if info.segments <= 1:
            length = self.env._(
                "%(encoding)s: %(length)s of %(limit)s characters",
                encoding=encoding,
                length=info.length,
                limit=info.per_segment,
            )
        else:
            length = self.env._(
                "%(encoding)s: %(length)s characters (%(limit)s per part)",
                encoding=encoding,
                length=info.length,
                limit=info.per_segment,
            )
        if least != most:
            parts = self.env._(
                "%(least)s to %(most)s SMS parts per recipient (the texts differ)",
                least=least,
                most=most,
            )
        elif most == 1:
            parts = self.env._("1 SMS part per recipient")
        else:
            parts = self.env._("%s SMS parts per recipient", most)
        if credit_count == 1:
            cost = self.env._("about 1 credit")
        else:
            cost = self.env._("about %s credits", credit_count)
        if recipients == 1:
            cost = self.env._("%s for 1 recipient", cost)
        else:
            cost = self.env._(
                "%(cost)s for %(count)s recipients", cost=cost, count=recipients
            )
        return " · ".join([length, parts, cost])

    def _text_refusal(self, segments=None, max_segments=MAX_SEGMENTS):
        """Why the text cannot be sent, as a sentence (``False`` if it can).

        The rule of every send (:func:`..tools.text.text_problem`) in its one
        wording; for an empty text (invisible characters only too), what to do.
        """
        problem = text_problem(
            self.body or "", segments=segments, max_segments=max_segments
        )
        if not problem:
            return False
        refusal = self._aakash_sms_text_refusal(problem, sentence=True)
        if problem.code == "empty":
            hint = self.env._("Type a text or choose a template.")
            refusal = f"{refusal} {hint}"
        return refusal

    def _send_blocker(self, most_segments):
        """Why Send is not offered: the text (empty, a control character, over the
        parts limit for its longest recipient), nobody to text."""
        refusal = self._text_refusal(segments=most_segments)
        if refusal:
            return refusal
        if not self.valid_count:
            if self.recipient_count == 1:
                return self.env._(
                    "The selected record cannot be texted (the reason is in the list "
                    "below)."
                )
            return self.env._(
                "None of the selected records can be texted (the reasons are in the "
                "list below)."
            )
        return False

    def _prepare_bodies(self, records):
        """``{id: text}``, rendered per record, in one batch, by the rule of every
        wizard send (:meth:`aakash.sms.send._aakash_render_bodies`)."""
        return self.env["aakash.sms.send"]._aakash_render_bodies(
            records, self.body, self.template_id, self.body_rendered
        )

    @api.depends("credit_estimate", "provider_id")
    def _compute_credit_shortfall(self):
        for composer in self:
            provider = composer._get_provider()
            composer.credit_shortfall = (
                composer._shortfall_text(provider, provider.balance)
                if provider and provider.balance_date
                else False
            )

    def _shortfall_text(self, provider, balance):
        if balance is None or self.credit_estimate <= balance:
            return False
        text = self.env._(
            "This send needs about %(needed)s credits and %(provider)s has "
            "%(balance)s left: it is not sent. Top up the Aakash SMS account or text "
            "fewer recipients.",
            needed=self.credit_estimate,
            provider=provider.name,
            balance=balance,
        )
        if self.env.user.has_group("aakash_sms.group_aakash_sms_manager"):
            text += " " + self.env._(
                "As an SMS manager you may send to the recipients the balance covers."
            )
        return text

    def _check_credit(self):
        """The credit guard, before anything is created: ``None`` when the send may
        go, else the action that shows the wizard again with the shortfall.

        The balance is read from Aakash again when its reading is a few minutes old;
        when it cannot be read the send goes, and the sender is told.  A provider
        whose balance was never read (no Test Connection, no balance cron yet) is not
        guarded.
        """
        provider = self._get_provider()
        if (
            not provider
            or not provider.balance_date  # never read: nothing to compare with
            or self.env.context.get("aakash_sms_covered")
        ):
            return None
        balance, unreadable = provider._fresh_balance()
        if unreadable:
            self.env.user._bus_send(
                "simple_notification",
                {
                    "type": "warning",
                    "title": self.env._("Balance not checked"),
                    "message": self.env._(
                        "The Aakash SMS balance could not be read (%s): the SMS are "
                        "sent without checking it.",
                        unreadable,
                    ),
                },
            )
        if not self._shortfall_text(provider, balance):
            return None
        self.invalidate_recordset(["credit_shortfall"])
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "views": [(False, "form")],
            "target": "new",
            "name": self.env._("Send SMS (Aakash)"),
        }

    def action_send_covered(self):
        """SMS managers: send to the first recipients the balance covers."""
        self.ensure_one()
        if not self.env.user.has_group("aakash_sms.group_aakash_sms_manager"):
            raise TitledUserError(
                self.env._("Only SMS managers may send a partial send."),
                self.env._("For SMS Managers Only"),
            )
        provider = self._get_provider()
        balance, _unreadable = provider._fresh_balance()
        covered, spent = [], 0
        for res_id, cost in self._aakash_costs():
            if balance is not None and spent + cost > balance:
                break
            covered.append(res_id)
            spent += cost
        if not covered:
            raise TitledUserError(
                self.env._("The balance covers no recipient."),
                self.env._("Balance Too Low"),
            )
        # exactly these records (not the domain of a "select all")
        self.write({"res_ids": json.dumps(covered), "res_domain": False})
        return self.with_context(aakash_sms_covered=True).action_send()

    def _aakash_costs(self):
        """``(res_id, SMS parts)`` of each record of the selection that will be
        texted, in the order the send takes them: the preview's, else (a sample of a
        larger selection) every record's, checked and rendered a chunk at a time."""
        if not self._aakash_is_sample():
            yield from self._aakash_chunk_costs(None)
            return
        Message = self.env["aakash.sms.message"]
        provider_sudo = self.provider_id.sudo() or None
        Model = self.env[self.res_model]
        if self.res_domain:
            domain, last = load_domain(self.res_domain), 0
            while True:
                chunk = Model.search(
                    domain + [("id", ">", last)], order="id", limit=CHUNK_SIZE
                )
                if not chunk:
                    return
                last = chunk[-1].id
                yield from self._aakash_chunk_costs(
                    Message._aakash_valid_ids(chunk, provider_sudo)
                )
        ids = self._get_ids()
        for start in range(0, len(ids), CHUNK_SIZE):
            chunk = Model.browse(ids[start : start + CHUNK_SIZE]).exists()
            yield from self._aakash_chunk_costs(
                Message._aakash_valid_ids(chunk, provider_sudo)
            )

    def _aakash_chunk_costs(self, ids):
        """``(res_id, SMS parts)`` of the records ``ids`` that will be texted (the
        preview's when ``None``), as their texts will travel."""
        records, texts = self._texts_as_sent(ids)
        if records is None:
            return
        if self._opt_out_wanted():
            _first, texts = self._with_opt_out_links("", texts, records)
        for res_id in records.ids:
            yield res_id, measure(texts.get(res_id) or self.body or "").segments

    def action_send(self):
        """Create the rows of this send; send them at once if one request does it,
        else queue them.

        Recipients are looked up again on the records now (the preview is only shown).
        """
        self.ensure_one()
        withheld = self._check_credit()
        if withheld:
            return withheld
        # measured below on the texts as rendered for each recipient
        refusal = self._text_refusal(max_segments=0)
        if refusal:
            raise TitledUserError(refusal, self.env._("Text Cannot Be Sent"))
        # (a text filled in for its one record is that record's: sent as it is)
        if not self.body_rendered and (
            self.res_domain or len(self._get_ids()) > CHUNK_SIZE
        ):
            return self._aakash_send_large()
        records = self._get_records().exists()
        records.check_access("read")
        bodies = self._prepare_bodies(records)
        provider = self._get_provider()
        gsm = provider.gsm_safe if provider else True
        longest = max(
            (
                measure(gsm_safe(text or "") if gsm else text).segments
                for text in set(bodies.values())
            ),
            default=0,
        )
        refusal = self._text_refusal(segments=longest)
        if refusal:
            raise TitledUserError(refusal, self.env._("Text Cannot Be Sent"))
        Message = self.env["aakash.sms.message"]
        # the chosen provider, in sudo mode as the engine uses it (its company is
        # checked against each record's there)
        provider_sudo = self.provider_id.sudo() or None
        later = self._aakash_scheduled_at()
        routed = []
        messages = Message._aakash_create_rows(
            records,
            bodies,
            provider=provider_sudo,
            notify_sender=True,
            opt_out=self._opt_out_wanted(),
            values={"next_attempt_date": later, "quiet_hours": len(records) > 1},
            routed=routed,
        )
        pending = messages.browse(
            [
                message.id
                for chunk in messages._aakash_read_chunks()
                for message in chunk
                if message.state == "pending"
            ]
        )
        if not pending and routed and not messages:
            return self._aakash_routed_notification(routed)
        if not pending:
            problems = sorted(set(messages.mapped("reason")) - {False})
            reasons = "\n".join(f"- {reason}" for reason in problems[:5])
            if len(records) == 1:
                raise TitledUserError(
                    self.env._("The selected record cannot be texted:\n%s", reasons),
                    self.env._("No Recipient to Text"),
                )
            raise TitledUserError(
                self.env._(
                    "None of the %(count)s selected records can be texted:\n"
                    "%(reasons)s",
                    count=len(records),
                    reasons=reasons,
                ),
                self.env._("No Recipient to Text"),
            )
        # (more rows than a chunk never fit one request: not even read for that)
        if (
            not later
            and len(pending) <= CHUNK_SIZE
            and len({(m.provider_id, m.body) for m in pending}) == 1
            and len(pending) <= pending.provider_id.batch_size
        ):
            # one request does it: sent now, the outcome recorded in this transaction
            messages._post_results(messages - pending)
            pending._aakash_send_now()
        else:
            messages._aakash_queue()
        action = self._notify_with_log_button(messages)
        if routed:
            action["params"]["message"] = "{}\n{}".format(
                action["params"]["message"], self._aakash_routed_text(routed)
            )
        return action

    def _aakash_routed_text(self, routed):
        """What became of the numbers outside Nepal handed to Odoo's SMS (``routed``:
        their gateway keys)."""
        labels = dict(
            self.env["aakash.sms.message"]
            ._fields["gateway"]
            ._description_selection(self.env)
        )
        return self.env._(
            "%(count)s SMS to numbers outside Nepal go through %(gateway)s (Odoo's SMS "
            "queue); the SMS log shows them once sent.",
            count=len(routed),
            gateway=", ".join(sorted({labels[key] for key in routed})),
        )

    def _aakash_routed_notification(self, routed):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("SMS queued"),
                "message": self._aakash_routed_text(routed),
                "type": "success",
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _aakash_send_large(self):
        """Record a send of many documents at once; the queue prepares its recipients
        (by chunks, each committed) and sends them.

        Nothing here grows with the selection: the documents are read with the
        sender's rights when prepared, each text rendered then, once per record.
        """
        if not self._is_personalised():
            # one text for all: its length is known now
            refusal = self._text_refusal(segments=measure(self.body).segments)
            if refusal:
                raise TitledUserError(refusal, self.env._("Text Cannot Be Sent"))
        Model = self.env[self.res_model]
        if self.res_domain:
            domain = load_domain(self.res_domain)
        else:
            records = Model.browse(self._get_ids())
            records.check_access("read")
            domain = [("id", "in", records.ids)]
        send_sudo = self.env["aakash.sms.send"]._aakash_create_send(
            Model,
            domain,
            {
                "body": self.body,
                "template_id": self.template_id.id,
                "provider_id": self.provider_id.id,
                "company_id": self.company_id.id,
                "opt_out": self.opt_out_link,
                "scheduled_date": self._aakash_scheduled_at(),
                "quiet_hours": True,
            },
        )
        later = send_sudo.scheduled_date
        return {
            "type": "ir.actions.client",
            "tag": "aakash_sms_notification",
            "params": {
                "title": self.env._(
                    "SMS queued: you will be notified when they are sent"
                ),
                "message": self.env._(
                    "%(name)s: the queue checks each recipient and sends the texts. "
                    "Follow its progress in the SMS log.",
                    name=send_sudo.name,
                )
                + (f" {self._aakash_schedule_text(later)}" if later else ""),
                "type": "success",
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
                "buttons": [
                    {
                        "name": self.env._("Open in SMS Log"),
                        "action": send_sudo.action_open_messages(),
                    }
                ],
            },
        }

    def _opt_out_wanted(self):
        """Whether the texts end with an opt-out link: asked, for several records."""
        return bool(self.opt_out_link and len(self._get_ids()) > 1)

    def _with_opt_out_links(self, first_text, texts, records):
        """``(first_text, texts)`` ending with their opt-out link, as the rows will
        (every link has the same length: a sample number stands for the first
        recipient when the text is the same for all)."""
        links = self.env["aakash.sms.opt.out"]
        sample = self.line_ids.filtered("valid")[:1].number or "9800000000"
        first_id = records[:1].id if records else None
        numbers = {line.res_id: line.number for line in self.line_ids if line.valid}
        texts = {
            res_id: links._append(text, numbers.get(res_id) or sample)
            for res_id, text in texts.items()
        }
        if first_id in texts:
            return texts[first_id], texts
        return links._append(first_text, sample), texts

    def _notify_with_log_button(self, messages):
        """The outcome notification, with a button that opens this send in the SMS
        log."""
        action = messages._action_notify_outcome()
        later = messages[:1].next_attempt_date
        if later and messages.filtered(lambda m: m.state == "pending"):
            action["params"]["title"] = self.env._("SMS scheduled")
            action["params"]["message"] = (
                f"{self._aakash_schedule_text(later)}\n{action['params']['message']}"
            )
        send = messages[:1]
        if send.send_ref:
            action["tag"] = "aakash_sms_notification"
            # replaced by the final notification when the queue is done
            action["params"]["send_ref"] = send.send_ref
            action["params"]["buttons"] = [
                {
                    "name": self.env._("Open in SMS Log"),
                    "action": send._aakash_send_log_action(),
                }
            ]
        return action

    @api.depends("provider_id", "company_id", "body", "valid_res_ids")
    def _compute_balance_note(self):
        """The credit left on the provider that will send, next to what this send
        costs: where the decision to send is made."""
        for composer in self:
            provider = composer._get_provider()
            if not provider or not provider.balance_date:
                composer.balance_note = False
                continue
            composer.balance_note = self.env._(
                "%(balance)s credits left on %(provider)s; this send: about "
                "%(credits)s",
                balance=formatLang(self.env, provider.balance, digits=0),
                provider=provider.name,
                credits=formatLang(self.env, composer.credit_estimate, digits=0),
            )

    # ------------------------------------------------------------
    # One "Send SMS": Odoo's entry points open this wizard
    # ------------------------------------------------------------

    @api.model
    def _aakash_replaces_odoo(self, company=None):
        """Whether Odoo's "Send SMS" entry points open this wizard for the user.

        When the company sends Odoo's SMS through Aakash (with an active provider) and
        the user may send with the wizard: both would text through Aakash, the wizard
        shows each recipient and the credits first.
        """
        company = company or self.env.company
        return bool(
            company.aakash_sms_native
            and self.env.user.has_group("aakash_sms.group_aakash_sms_user")
            and self.env["aakash.sms.provider"]._get_default_sudo(company)
        )

    @api.model
    def action_open_for_phone_field(self, res_model, res_id):
        """The wizard for the record of a phone field's SMS button, or False when
        Odoo's own composer should open (static/src/js/sms_button_patch.js)."""
        if res_model not in self.env or not res_id:
            return False
        record = self.env[res_model].browse(res_id).exists()
        if not record or not record.has_access("read"):
            return False
        company = record.company_id if "company_id" in record._fields else None
        if not self._aakash_replaces_odoo(company or None):
            return False
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send SMS"),
            "res_model": self._name,
            "view_mode": "form",
            "views": [[False, "form"]],
            "target": "new",
            "context": {
                "active_model": res_model,
                "active_ids": [record.id],
                "active_id": record.id,
            },
        }


class AakashSmsComposerLine(models.TransientModel):
    _name = "aakash.sms.composer.line"
    _description = "Aakash SMS recipient preview"
    _order = "valid, id"

    composer_id = fields.Many2one(
        "aakash.sms.composer", required=True, ondelete="cascade", index=True
    )
    res_id = fields.Integer("Document ID", readonly=True)
    record_name = fields.Char("Document", readonly=True)
    partner_id = fields.Many2one("res.partner", "Contact", readonly=True)
    number_raw = fields.Char("Number Found", readonly=True)
    number = fields.Char("Sent To", readonly=True)
    valid = fields.Boolean("Will Be Texted", readonly=True)
    reason = fields.Char("Not Texted Because", readonly=True)
    status = fields.Char(readonly=True)
