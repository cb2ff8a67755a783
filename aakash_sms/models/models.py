import functools

from odoo import models
from odoo.exceptions import UserError

from ..tools.numbers import check_number as _check_number
from ..tools.text import text_problem
from .reasons import REFUSAL_REASONS


@functools.lru_cache(maxsize=4096, typed=True)
def check_number(raw):
    """:func:`..tools.numbers.check_number`, remembering its last few thousand answers.

    A send checks each number twice (to choose it on the document, then to refuse it or
    not), by chunks of at most ``CHUNK_SIZE`` records: the second call is free.
    """
    return _check_number(raw)


class Base(models.AbstractModel):
    _inherit = "base"

    def _aakash_sms_refusal(self, check):
        """Why ``check`` (a :class:`NumberCheck`) was refused, in the user's
        language."""
        if check.valid:
            return ""
        kind = f"number_{check.code}"
        Message = self.env["aakash.sms.message"]
        if kind == "number_prefix":
            return Message._aakash_refusal_reason(kind, check.prefix)
        if kind in REFUSAL_REASONS:
            return Message._aakash_refusal_reason(kind)
        return check.reason

    def _aakash_sms_text_refusal(self, problem, sentence=False):
        """Why a text cannot be sent, in the user's language ('' for no problem).

        The one wording of :func:`..tools.text.text_problem`'s answer (a
        :class:`TextProblem`): a reason as the log records it, or with ``sentence``
        as a sentence (the same words as :meth:`TextProblem.sentence` in English).
        """
        if not problem:
            return ""
        Message = self.env["aakash.sms.message"]
        if problem.code == "control":
            kind = "text_control" if len(problem.chars) == 1 else "text_controls"
            reason = Message._aakash_refusal_reason(kind, problem.codes)
        elif problem.code == "too_long":
            reason = Message._aakash_refusal_reason(
                "text_too_long", parts=problem.segments, max=problem.max_segments
            )
        else:
            reason = Message._aakash_refusal_reason("text_empty")
        return f"{reason[:1].upper()}{reason[1:]}." if sentence else reason

    def _aakash_sms_check_texts(self, vals_list, names):
        """Refuse SMS texts with control characters (NUL...) before they are stored,
        in words."""
        for vals in vals_list:
            for name in names:
                if not isinstance(vals.get(name), str):
                    continue
                # no length limit: a text with placeholders is measured once rendered
                problem = text_problem(vals[name], max_segments=0)
                if problem and problem.code == "control":
                    raise UserError(
                        self._aakash_sms_text_refusal(problem, sentence=True)
                    )

    def _aakash_sms_log_action(self, domain, name):
        """The SMS log, filtered on ``domain`` and titled ``name`` (smart buttons)."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aakash_sms.action_aakash_sms_message"
        )
        action.update(domain=domain, name=name, display_name=name)
        return action

    # Smart buttons ("SMS" on a contact, an invoice, any document): a model declares
    # ``aakash_sms_count = fields.Integer(compute="_compute_aakash_sms_count")`` and a
    # button method returning ``self._aakash_sms_open_log()``.
    def _aakash_sms_log_domain(self):
        """The log rows of ``self``: by recipient for contacts, else by document."""
        if self._name == "res.partner":
            return [("partner_id", "in", self.ids)]
        return [("res_model", "=", self._name), ("res_id", "in", self.ids)]

    def _compute_aakash_sms_count(self):
        """How many SMS each record of ``self`` got, in one grouped query."""
        by_partner = self._name == "res.partner"
        groups = self.env["aakash.sms.message"]._read_group(
            self._aakash_sms_log_domain(),
            ["partner_id" if by_partner else "res_id"],
            ["__count"],
        )
        counts = {(key.id if by_partner else key): count for key, count in groups}
        for record in self:
            record.aakash_sms_count = counts.get(record.id, 0)

    def _aakash_sms_open_log(self):
        """The SMS log of this one record, titled after it."""
        self.ensure_one()
        if self._name == "res.partner":
            name = self.env._("SMS to %s", self.display_name)
        else:
            name = self.env._("SMS about %s", self.display_name)
        return self._aakash_sms_log_action(self._aakash_sms_log_domain(), name)

    def _aakash_sms_document_refusals(self):
        """``{id: reason}`` of the records of ``self`` that must not be texted at
        all."""
        return {}

    def _aakash_sms_get_recipients(self):
        """Pick the number to text for every record: ``{id: (partner, raw number)}``.

        Reads the record's own phone fields (``_phone_get_number_fields``,
        mobile before phone), then at its customers' (``_mail_get_partners``).
        The first valid Nepali mobile wins; if none is valid the first number
        found is kept so the user can see why it is refused.
        """
        partners_by_record = (
            self._mail_get_partners() if self._name != "res.partner" else {}
        )
        own_fields = self._phone_get_number_fields()
        partner_fields = self.env["res.partner"]._phone_get_number_fields()
        result = {}
        for record in self:
            if self._name == "res.partner":
                partners = record
                candidates = [(record, record[f]) for f in own_fields]
            else:
                partners = partners_by_record.get(record.id, self.env["res.partner"])
                candidates = [(partners[:1], record[f]) for f in own_fields]
                candidates += [
                    (partner, partner[f])
                    for partner in partners
                    for f in partner_fields
                ]
            candidates = [(partner, number) for partner, number in candidates if number]
            chosen = next((c for c in candidates if check_number(c[1]).valid), None)
            result[record.id] = chosen or (
                candidates[0] if candidates else (partners[:1], "")
            )
        return result
