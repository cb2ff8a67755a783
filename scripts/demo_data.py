# Demo data for ./demo, run inside `odoo-bin shell` (``env`` is given).
# Nepali customers, a provider pointing at the local sandbox gateway, and
# a few confirmed invoices.
import os
from datetime import date, timedelta

sandbox_url = os.environ["AAKASH_DEMO_SANDBOX_URL"]
token = os.environ["AAKASH_DEMO_TOKEN"]
try:
    # odoo-bin shell runs this file with exec(), its ``env`` among the globals
    env = globals()["env"]
except KeyError:
    raise SystemExit("demo data: run inside `odoo-bin shell` (./demo does)") from None

company = env.company
# A Nepali shop: rupees, Kathmandu time, dates nobody misreads, English and Nepali
npr = env.ref("base.NPR")
npr.active = True
company.write(
    {
        "name": "Himalayan Traders Pvt. Ltd.",
        "country_id": env.ref("base.np").id,
        "currency_id": npr.id,
        "phone": "+977-1-4412345",
        "city": "Kathmandu",
    }
)
company.aakash_sms_invoice_confirm = True
# "12 Mar 2026", not "03/12/2026" (read the other way round in Nepal)
env.ref("base.lang_en").date_format = "%d %b %Y"
env["res.lang"]._activate_lang("ne_NP")
env["ir.module.module"].search(
    [("name", "in", ("aakash_sms", "aakash_sms_account"))]
)._update_translations(["ne_NP"])
env.ref("base.user_admin").tz = "Asia/Kathmandu"
# the shop assistant texts customers in Nepali: a plain SMS user
env["res.users"].create(
    {
        "name": "Sita Adhikari",
        "login": "sita",
        "password": "sita",
        "lang": "ne_NP",
        "tz": "Asia/Kathmandu",
        "group_ids": [
            (4, env.ref("base.group_user").id),
            (4, env.ref("aakash_sms.group_aakash_sms_user").id),
        ],
    }
)

provider = env["aakash.sms.provider"].create(
    {
        "name": "Aakash SMS (local sandbox)",
        "auth_token": token,
        "base_url": sandbox_url,
        "is_default": True,
        "low_balance_threshold": 50,
    }
)

customers = env["res.partner"].create(
    [
        {"name": "Ram Bahadur Thapa", "phone": "+977-984-1234567", "city": "Kathmandu"},
        {
            "name": "Sita Kumari Rai",
            "phone": "980 123 4567",
            "city": "Dharan",
            "lang": "ne_NP",
        },
        {"name": "Hari Prasad Sharma", "phone": "9851098765", "city": "Lalitpur"},
        {
            "name": "Gita Gurung",
            "phone": "976.123.4567",
            "city": "Pokhara",
            "lang": "ne_NP",
        },
        {"name": "Bikash Shrestha", "phone": "01-4412345", "city": "Bhaktapur"},
        {"name": "Anita Tamang", "city": "Hetauda"},
    ]
)
for customer in customers:
    customer.country_id = env.ref("base.np")

product = env["product.product"].create({"name": "Dhaka topi", "list_price": 850.0})
for customer, quantity in zip(customers[:4], (2, 5, 1, 3), strict=False):
    invoice = env["account.move"].create(
        {
            "move_type": "out_invoice",
            "partner_id": customer.id,
            "invoice_line_ids": [
                (
                    0,
                    0,
                    {
                        "product_id": product.id,
                        "quantity": quantity,
                        "price_unit": 850.0,
                    },
                )
            ],
        }
    )
    invoice.action_post()
# one invoice overdue by 12 days: the payment reminders have something to remind of
overdue = env["account.move"].create(
    {
        "move_type": "out_invoice",
        "partner_id": customers[0].id,
        "invoice_date": date.today() - timedelta(days=42),
        "invoice_date_due": date.today() - timedelta(days=12),
        "invoice_line_ids": [
            (0, 0, {"product_id": product.id, "quantity": 4, "price_unit": 850.0})
        ],
    }
)
overdue.action_post()
# sends the confirmation SMS queued above
env["aakash.sms.message"]._cron_send()
provider.action_refresh_balance()  # the Odoo server's crons refresh it from then on
env.cr.commit()
print(
    f"demo data: {len(customers)} customers, 5 confirmed invoices in NPR (one "
    "overdue); "
    "Nepali user: sita / sita"
)
