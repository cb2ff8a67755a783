#!/usr/bin/env python3
"""Take every screenshot of aakash_sms/static/description/ from a running ./demo.

    ./demo --reset &        # in another terminal: a fresh Nepali shop
    pip install playwright && python3 scripts/screenshots.py [http://localhost:8069]

Headless Chromium: Debian's /usr/bin/chromium (no browser download). Each screenshot
is one function decorated with ``@shot``, run in the order of the file; add one by
appending such a function at the end of the file (it receives a :class:`Shots`, whose
``save(name)`` writes ``aakash_sms/static/description/<name>``). Run a few by name:
``python3 scripts/screenshots.py URL wizard log``.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent.parent / "aakash_sms" / "static" / "description"
SHOTS = []  # the @shot functions, in the order of the file


def shot(function):
    """Register ``function(shots)`` as one screenshot step."""
    SHOTS.append(function)
    return function


class Shots:
    """The browser page and what the steps share (log in, open, wait, save)."""

    def __init__(self, page, url):
        self.page = page
        self.url = url
        self.user = None

    def login(self, login, password=None):
        """Log in as ``login`` (its password is its login in the demo)."""
        if self.user == login:
            return
        page = self.page
        page.context.clear_cookies()
        page.goto(self.url + "/web/login")
        page.fill("input[name=login]", login)
        page.fill("input[name=password]", password or login)
        page.click("button[type=submit]")
        page.wait_for_selector(".o_main_navbar")
        self.user = login

    def open(self, path, ready=".o_action_manager .o_view_controller"):
        """Open ``/odoo/<path>`` and wait until ``ready`` shows."""
        self.page.goto(f"{self.url}/odoo/{path}")
        self.page.wait_for_selector(ready)
        self.settle()

    def open_record(self, action, name):
        """Open the record named ``name`` from the list of ``action``."""
        self.open(f"{action}?view_type=list", ".o_data_row")
        self.page.locator(".o_data_row", has_text=name).first.click()
        self.page.wait_for_selector(".o_form_view")
        self.settle()

    def settle(self, ms=700):
        """Let RPCs and animations end (the counter follows the text after 250 ms)."""
        self.page.wait_for_timeout(ms)

    def action_menu(self, item):
        """Click ``item`` in the Actions (gear) menu."""
        self.page.click(".o_cp_action_menus button:has(.fa-cog)")
        self.page.locator(".o-dropdown-item", has_text=item).first.click()

    def type_sms(self, text):
        self.page.fill(".modal .o_field_widget[name=body] textarea", text)
        self.settle(1200)

    def save(self, name, selector=None):
        """Write the page (or the element ``selector``) as ``name``."""
        target = self.page.locator(selector).first if selector else self.page
        target.screenshot(path=str(OUT / name))
        print(f"screenshots: {name}")


def main(argv):
    url = argv[1] if len(argv) > 1 else "http://localhost:8069"
    wanted = set(argv[2:])
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
        # the shop's time: Odoo's web client shows times in the browser's time zone
        page = browser.new_page(
            viewport={"width": 1280, "height": 860}, timezone_id="Asia/Kathmandu"
        )
        page.set_default_timeout(120_000)  # the first page builds Odoo's assets
        shots = Shots(page, url)
        for function in SHOTS:
            if not wanted or function.__name__ in wanted:
                function(shots)
        browser.close()


if __name__ == "__main__":
    # Run the file as the module ``screenshots``: it is read whole, so the steps
    # defined below this line, appended ones included, are registered first.
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import screenshots  # noqa: PLC0415 - this very file, read whole

    screenshots.main(sys.argv)


# ----------------------------------------------------------------------------------
# The steps, in order. Append new ones at the end of the file, decorated with @shot.
# ----------------------------------------------------------------------------------


@shot
def wizard(s):
    """The phone's SMS button opens the Aakash wizard: preview, counter with the words
    that make the text Unicode and the look-alikes replaced, the balance."""
    s.login("admin")
    s.open_record("contacts", "Ram Bahadur Thapa")
    s.page.hover(".o_field_phone")  # its SMS button shows on hover
    s.page.click(".o_field_phone .o_field_phone_sms")
    s.page.wait_for_selector(".modal .o_field_one2many .o_data_row")
    s.type_sms(
        "नमस्ते Ram ji, your Dashain order is ready \u2013 it\u2019s at the counter. "
        "- Himalayan Traders"
    )
    s.save("screenshot_wizard.png")


@shot
def chatter(s):
    """Sent: the per-recipient line in the chatter, and the one notification."""
    s.page.click(".modal-footer button[name=action_send]")
    s.page.wait_for_selector(".o-mail-Message:has-text('SMS via Aakash')")
    s.settle(1000)
    s.save("screenshot_chatter.png")


@shot
def bulk_preview(s):
    """Every customer, a template to start from: who cannot be texted, and why."""
    s.login("admin")
    s.open("contacts?view_type=list", ".o_data_row")
    s.page.click("thead .o_list_record_selector input")
    s.action_menu("Send SMS")
    s.page.wait_for_selector(".modal .o_field_widget[name=template_id] input")
    s.page.fill(".modal .o_field_widget[name=template_id] input", "Order ready")
    s.page.locator(
        ".o-autocomplete--dropdown-item", has_text="Order Ready"
    ).first.click()
    s.settle(1500)
    s.save("screenshot_bulk_preview.png")
    s.page.click(".modal-footer button[name=action_send]")
    s.page.wait_for_selector(".o_notification")
    s.settle(4000)  # the queue sends them: the log below has their outcome


@shot
def provider(s):
    """The provider: balance, Warn Below, and that Odoo's SMS go through Aakash."""
    s.login("admin")
    s.open_record("action-aakash_sms.action_aakash_sms_provider", "Aakash SMS")
    s.page.get_by_role("button", name="Test Connection").click()
    s.page.wait_for_selector(".o_notification")
    s.settle(1000)
    s.save("screenshot_provider.png")


@shot
def settings(s):
    """General Settings: the provider and "Send Odoo's SMS through Aakash"."""
    s.login("admin")
    s.open("settings", "#aakash_sms")
    s.page.locator("#aakash_sms").scroll_into_view_if_needed()
    s.settle()
    s.save("screenshot_settings.png")


@shot
def settings_invoicing(s):
    """Invoicing settings: the confirmation SMS and its template."""
    s.login("admin")
    s.open("settings", ".settings_tab")
    s.page.click(".settings_tab [data-key=account]")
    s.page.wait_for_selector("#aakash_sms_invoice_confirm")
    s.page.locator("#aakash_sms_invoice_confirm").scroll_into_view_if_needed()
    s.settle()
    s.save("screenshot_settings_invoicing.png")


@shot
def invoice(s):
    """A confirmed invoice in rupees: its SMS button and the chatter line."""
    s.login("admin")
    s.page.set_viewport_size({"width": 1280, "height": 1150})  # the chatter too
    s.open_record("action-account.action_move_out_invoice_type", "Sita Kumari Rai")
    s.save("screenshot_invoice.png")
    s.page.set_viewport_size({"width": 1280, "height": 860})


@shot
def log(s):
    """The SMS log as the Nepali shop assistant reads it: reasons in her language,
    texts and reasons whole, the send by its name."""
    s.login("sita")
    s.open("action-aakash_sms.action_aakash_sms_message", ".o_data_row")
    s.save("screenshot_log.png")


@shot
def reminder_screenshots(s):
    """The Invoicing settings of the SMS payment reminders and an invoice's chatter
    with its reminders (issue #22), into aakash_sms_account/static/description/.

    Self-contained: it logs in, and when no invoice has a reminder yet it sends one
    with "Send Reminder Now" on the demo's most overdue unpaid customer invoice.
    """
    from datetime import date

    out = OUT.parent.parent.parent / "aakash_sms_account" / "static" / "description"
    page, url = s.page, s.url
    s.login("admin")

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
        # the note is written with the outcome: reload for the tab's state too
        page.reload()
        page.wait_for_selector(".o-mail-Message:has-text('Payment reminder')")
        page.get_by_text("SMS Reminders").first.click()
        page.wait_for_timeout(800)
        page.screenshot(path=str(out / "screenshot_reminder_chatter.png"))


@shot
def report_screenshots(s):
    """The SMS Report's graph and pivot, and the opt-out page of a customer's link
    (issue #23), from the same running ./demo (its SMS log has rows)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    page, url = s.page, s.url
    s.login("admin")
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
    import subprocess

    secret = subprocess.run(
        [
            "psql",
            "-Atc",
            "SELECT value FROM ir_config_parameter WHERE key = 'database.secret'",
            "aakash_demo",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    number = "9812345678"
    token = hmac.new(
        secret.encode(),
        repr(("aakash_sms-opt-out", number)).encode(),
        hashlib.sha256,
    ).hexdigest()[:12]
    link = f"{url}/sms/stop/{number}/{token}"
    if link.startswith("http"):
        public = page.context.browser.new_page(viewport={"width": 900, "height": 600})
        public.goto(link)
        public.wait_for_selector(".o_aakash_sms_opt_out")
        public.screenshot(path=str(OUT / "screenshot_opt_out.png"))


@shot
def send_later(s):
    """Send At: a bulk send to the shop's customers, tomorrow morning; the wizard
    says when it will go out."""
    s.login("admin")
    s.open("contacts?view_type=list", ".o_data_row")
    for name in ("Gita", "Hari", "Ram Bahadur", "Sita Kumari"):
        row = s.page.locator(".o_data_row", has_text=name).first
        row.locator(".o_list_record_selector input").check()
    s.action_menu("Send SMS")
    s.page.wait_for_selector(".modal .o_field_one2many .o_data_row")
    s.type_sms("Namaste! Our Tihar sale starts tomorrow at 10. - Himalayan Traders")
    # Odoo 19 shows a date-time as a button until it is clicked (the demo's format)
    s.page.click(".modal .o_field_widget[name=scheduled_date] button")
    field = s.page.locator(".modal .o_field_widget[name=scheduled_date] input").first
    field.fill("04 Dec 2026 09:30:00 AM")
    field.press("Enter")
    s.page.locator(".modal .o_field_widget[name=body] textarea").click()
    s.settle(1500)
    s.save("screenshot_send_later.png")
    s.page.click(".modal-footer button.btn-secondary")


@shot
def sending_hours(s):
    """Settings: sending hours of the company and numbers outside Nepal."""
    s.login("admin")
    s.open("settings", "#aakash_sms")
    checkbox = s.page.locator(".o_field_widget[name=aakash_sms_quiet_hours] input")
    if not checkbox.is_checked():
        checkbox.check()
    s.page.locator(
        ".o_field_widget[name=aakash_sms_foreign_numbers]"
    ).scroll_into_view_if_needed()
    s.settle()
    s.save("screenshot_sending_hours.png", "#aakash_sms")
    s.page.click(".o_form_button_cancel, .o_control_panel button:has-text('Discard')")
