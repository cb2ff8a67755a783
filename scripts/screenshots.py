#!/usr/bin/env python3
"""Take the Apps-page screenshots from a running ./demo with headless Chromium.

    ./demo &            # in another terminal
    pip install playwright && python3 scripts/screenshots.py

Uses Debian's /usr/bin/chromium (no browser download). Writes PNGs into
aakash_sms/static/description/.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

URL = sys.argv[1] if len(sys.argv) > 1 else "http://localhost:8069"
OUT = Path(__file__).resolve().parent.parent / "aakash_sms" / "static" / "description"


def main():
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.goto(URL + "/web/login")
        page.fill("input[name=login]", "admin")
        page.fill("input[name=password]", "admin")
        page.click("button[type=submit]")
        page.wait_for_selector(".o_main_navbar")

        # the wizard on a customer
        page.goto(URL + "/odoo/action-base.action_partner_form")
        page.wait_for_selector(".o_kanban_record, .o_data_row")
        page.get_by_text("Ram Bahadur Thapa").first.click()
        page.wait_for_selector(".o_form_view")
        page.get_by_role("button", name="Send SMS").first.click()
        page.wait_for_selector(".modal textarea")
        page.fill(
            ".modal textarea",
            "नमस्ते Ram ji, your Dashain order is ready for pickup. - Himalayan Traders",
        )
        page.keyboard.press("Tab")  # leaving the field updates the credit estimate
        page.wait_for_timeout(800)
        page.screenshot(path=str(OUT / "screenshot_wizard.png"))
        page.click(".modal-footer button.btn-primary")
        page.wait_for_selector(".o-mail-Message:has-text('SMS via Aakash')")
        page.wait_for_timeout(800)
        page.screenshot(path=str(OUT / "screenshot_chatter.png"))

        # many customers at once: the preview lists who cannot be texted
        page.goto(URL + "/odoo/action-base.action_partner_form?view_type=list")
        page.wait_for_selector(".o_data_row")
        page.click("thead .o_list_record_selector input")
        page.get_by_role("button", name="Actions").click()
        page.get_by_text("Send SMS (Aakash)").click()
        page.wait_for_selector(".modal textarea")
        page.fill(".modal textarea", "Dashain sale: 20% off all topi this week!")
        page.keyboard.press("Tab")
        page.wait_for_timeout(800)
        page.screenshot(path=str(OUT / "screenshot_bulk_preview.png"))
        page.keyboard.press("Escape")

        # provider form and settings
        page.goto(URL + "/odoo/action-aakash_sms.action_aakash_sms_provider")
        page.wait_for_selector(".o_data_row")
        page.click(".o_data_row td[name=name]")
        page.wait_for_selector(".o_form_view")
        page.get_by_role("button", name="Test Connection").click()
        page.wait_for_timeout(1000)
        page.screenshot(path=str(OUT / "screenshot_provider.png"))

        page.goto(URL + "/odoo/settings")
        page.wait_for_selector("#aakash_sms")
        page.locator("#aakash_sms").scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        page.screenshot(path=str(OUT / "screenshot_settings.png"))

        page.goto(URL + "/odoo/action-aakash_sms.action_aakash_sms_message")
        page.wait_for_selector(".o_data_row")
        page.wait_for_timeout(500)
        page.screenshot(path=str(OUT / "screenshot_log.png"))
        browser.close()


if __name__ == "__main__":
    main()


def reminder_screenshots(url=URL):
    """The Invoicing settings of the SMS payment reminders and an invoice's chatter
    with its reminders (issue #22), into aakash_sms_account/static/description/.

    Self-contained: it logs in, and when no invoice has a reminder yet it sends one
    with "Send Reminder Now" on the demo's most overdue unpaid customer invoice.
    """
    from datetime import date

    out = OUT.parent.parent.parent / "aakash_sms_account" / "static" / "description"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-component-update"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url + "/web/login")
        page.fill("input[name=login]", "admin")
        page.fill("input[name=password]", "admin")
        page.click("button[type=submit]")
        page.wait_for_selector(".o_main_navbar")

        def call(model, method, args, kwargs=None):
            response = page.request.post(
                url + "/web/dataset/call_kw",
                data={
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {
                        "model": model,
                        "method": method,
                        "args": args,
                        "kwargs": kwargs or {},
                    },
                },
            )
            return response.json().get("result")

        page.goto(url + "/odoo/action-account.action_account_config")
        page.wait_for_selector("#aakash_sms_reminders")
        page.locator("#aakash_sms_reminders").scroll_into_view_if_needed()
        page.wait_for_timeout(800)
        page.screenshot(path=str(out / "screenshot_reminder_settings.png"))

        reminded = call(
            "account.move",
            "search",
            [[("aakash_sms_reminder_ids", "!=", False)]],
            {"limit": 1},
        )
        if not reminded:
            overdue = call(
                "account.move",
                "search",
                [
                    [
                        ("move_type", "=", "out_invoice"),
                        ("state", "=", "posted"),
                        ("payment_state", "in", ["not_paid", "partial"]),
                        ("invoice_date_due", "<", date.today().isoformat()),
                    ]
                ],
                {"limit": 1, "order": "invoice_date_due"},
            )
            if overdue:
                call("account.move", "action_aakash_sms_remind_now", [overdue])
            reminded = overdue
        if reminded:
            page.goto(url + f"/odoo/account.move/{reminded[0]}")
            page.wait_for_selector(".o-mail-Message:has-text('Payment reminder')")
            page.get_by_text("SMS Reminders").first.click()
            page.wait_for_timeout(800)
            page.screenshot(path=str(out / "screenshot_reminder_chatter.png"))
        browser.close()



def report_screenshots(url=URL):
    """The SMS Report's graph and pivot, and the opt-out page of a customer's link
    (issue #23), from the same running ./demo (its SMS log has rows)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.goto(url + "/web/login")
        page.fill("input[name=login]", "admin")
        page.fill("input[name=password]", "admin")
        page.click("button[type=submit]")
        page.wait_for_selector(".o_main_navbar")
        page.goto(url + "/odoo/action-aakash_sms.action_aakash_sms_report")
        page.wait_for_selector(".o_graph_renderer canvas")
        page.wait_for_timeout(800)
        page.screenshot(path=str(OUT / "screenshot_report_graph.png"))
        page.click(".o_switch_view.o_pivot")
        page.wait_for_selector(".o_pivot table")
        page.wait_for_timeout(800)
        page.screenshot(path=str(OUT / "screenshot_report_pivot.png"))
        # a customer's link: signed with the demo database's secret, as
        # aakash.sms.opt.out._token does (odoo.tools.misc.hmac)
        import hashlib
        import hmac

        import odoo_db

        [[secret]] = odoo_db.psql(
            "aakash_demo",
            "SELECT value FROM ir_config_parameter WHERE key = 'database.secret'",
        )
        number = "9812345678"
        token = hmac.new(
            secret.encode(),
            repr(("aakash_sms-opt-out", number)).encode(),
            hashlib.sha256,
        ).hexdigest()[:12]
        link = f"{url}/sms/stop/{number}/{token}"
        if link.startswith("http"):
            public = browser.new_page(viewport={"width": 900, "height": 600})
            public.goto(link)
            public.wait_for_selector(".o_aakash_sms_opt_out")
            public.screenshot(path=str(OUT / "screenshot_opt_out.png"))
        browser.close()



if __name__ == "__main__":
    reminder_screenshots()
    report_screenshots()
