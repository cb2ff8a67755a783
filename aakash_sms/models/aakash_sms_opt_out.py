"""``aakash.sms.opt.out``: the opt-out link of bulk sends, and what it does.

Aakash has no incoming SMS ("reply STOP" cannot work): a bulk send may end each text
with a link to a public page (``controllers/opt_out.py``) where the customer puts
their number on Odoo's phone blacklist, which every send path and the queue honour.

The link names the number and a signature of it (an HMAC with the database's secret):
nobody can make the link of another number, and the same number always gets the same
link, so a text to one number twice in one send is still the same text (a duplicate,
refused) and rows stay valid after a log row is deleted.  Transactional texts
(invoice confirmation, reminders, server actions, resends, Odoo's own SMS, a text to
one record) never carry it: only the send wizard asks for it, for several records.
"""

from odoo import api, models
from odoo.tools.misc import consteq, hmac

from ..tools.numbers import check_number
from ..tools.text import measure

# the HMAC's scope (a signature for this use only) and how much of it the link holds:
# 12 hex digits, 48 bits: about 2.8e14 tries to find one number's link
TOKEN_SCOPE = "aakash_sms-opt-out"
TOKEN_LENGTH = 12
ROUTE = "/sms/stop"
# appended on a line of its own, in the text's own alphabet: Nepali words would make a
# GSM-7 text Unicode (more parts, more credits)
LINE = {"gsm7": "Opt out: {url}", "unicode": "SMS बन्द गर्न: {url}"}


class AakashSmsOptOut(models.AbstractModel):
    _name = "aakash.sms.opt.out"
    _description = "Aakash SMS opt-out link"

    @api.model
    def _token(self, number):
        """The signature of ``number`` (10-digit national form)."""
        # the database secret is read as superuser, whoever sends or opens the link
        return hmac(self.env(su=True), TOKEN_SCOPE, number)[:TOKEN_LENGTH]

    @api.model
    def _url(self, number):
        return f"{self.get_base_url()}{ROUTE}/{number}/{self._token(number)}"

    @api.model
    def _append(self, text, number):
        """``text`` with the opt-out link of ``number`` on a line of its own (the
        text unchanged when the number is not a Nepali mobile: refused anyway)."""
        check = check_number(number)
        if not check.valid or not text:
            return text
        line = LINE[measure(text).encoding].format(url=self._url(check.number))
        return f"{text}\n{line}"

    @api.model
    def _check(self, number, token):
        """Whether ``token`` is ``number``'s signature (in constant time)."""
        check = check_number(number)
        if not check.valid or check.number != number or not token:
            return False
        return consteq(str(token), self._token(number))

    @api.model
    def _is_opted_out(self, number):
        return bool(self.env["aakash.sms.message"]._aakash_opted_out({number}))

    @api.model
    def _opt_out(self, number):
        """Put ``number`` on Odoo's phone blacklist, with a note saying how."""
        # the customer who opened the link is the public user: the blacklist is
        # written as superuser, for this number only (its signature was checked)
        blacklist_sudo = self.env["phone.blacklist"].sudo()
        return blacklist_sudo._add(
            ["+977" + number],
            message=self.env._("Opted out through the link of an Aakash SMS."),
        )
