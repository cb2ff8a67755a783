"""The public page of the opt-out link (``aakash.sms.opt.out``): no login; the
customer confirms (a form POST with Odoo's CSRF token) and their number goes on Odoo's
phone blacklist.  In Nepali, or English (``?lang=en``)."""

from odoo import http
from odoo.http import request

from ..models.aakash_sms_opt_out import ROUTE

LANGS = {"ne": "ne_NP", "en": "en_US"}


class AakashSmsOptOutController(http.Controller):
    @http.route(
        [f"{ROUTE}/<string:number>/<string:token>"],
        type="http",
        auth="public",
        methods=["GET", "POST"],
        sitemap=False,
    )
    def aakash_sms_opt_out(self, number, token, lang="ne", **post):
        # Nepali when it is active (Settings > Languages), else English only
        nepali = bool(request.env["res.lang"]._get_data(code=LANGS["ne"]))
        lang = lang if lang in LANGS and nepali else ("ne" if nepali else "en")
        env = request.env(context=dict(request.env.context, lang=LANGS[lang]))
        links = env["aakash.sms.opt.out"]
        if not links._check(number, token):
            # the same page whether the number or the signature is wrong: it tells
            # nothing about which numbers exist
            return request.render(
                "aakash_sms.opt_out_page",
                self._values(env, lang, number, token, "invalid", nepali),
                status=404,
            )
        if request.httprequest.method == "POST":
            links._opt_out(number)
            state = "done"
        elif links._is_opted_out(number):
            state = "already"
        else:
            state = "confirm"
        return request.render(
            "aakash_sms.opt_out_page",
            self._values(env, lang, number, token, state, nepali),
        )

    def _values(self, env, lang, number, token, state, nepali=False):
        """What the page shows, in its language (the template holds no text)."""
        shown = f"{number[:3]}****{number[-3:]}" if len(number) == 10 else ""
        company = env.company.name
        texts = {
            "confirm": env._(
                "Stop SMS from %(company)s to %(number)s?",
                company=company,
                number=shown,
            ),
            "done": env._(
                "Done: %(number)s will no longer receive SMS from %(company)s.",
                number=shown,
                company=company,
            ),
            "already": env._(
                "%(number)s already receives no SMS from %(company)s.",
                number=shown,
                company=company,
            ),
            "invalid": env._(
                "This link is not valid. Please use the link in your SMS."
            ),
        }
        other = "en" if lang == "ne" else "ne"
        return {
            "state": state,
            "message": texts[state],
            "button": env._("Stop SMS"),
            "note": env._(
                "No SMS from %(company)s will reach this number any more, invoices "
                "and reminders included. To receive them again, contact %(company)s.",
                company=company,
            ),
            "title": env._("SMS opt-out"),
            "other_lang_url": f"{ROUTE}/{number}/{token}?lang={other}"
            if nepali
            else False,
            "other_lang": "English" if other == "en" else "नेपाली",
            "action_url": f"{ROUTE}/{number}/{token}?lang={lang}",
            "html_lang": LANGS[lang].replace("_", "-"),
        }
