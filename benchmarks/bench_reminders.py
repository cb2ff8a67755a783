#!/usr/bin/env python3
"""Payment reminders at scale (issue #22): 20,000 overdue invoices, 8,000 customers.

    python3 benchmarks/bench_reminders.py                       # 20,000 / 8,000
    python3 benchmarks/bench_reminders.py --invoices 2000 --customers 800

Needs Odoo 19 importable by this Python and PostgreSQL (as ``scripts/odoo_db.py``).
A database with ``aakash_sms_account`` and the bench data is built once (kept as
``aakbenchrem<version>_<schema hash>_<invoices>_<customers>``; drop it with ``dropdb``
when done): customers with distinct Nepali mobiles, and customer invoices 3 to 40 days
overdue, written with SQL (the ORM would take far longer to post 20,000 invoices; the
reminders only read the invoice header). The case runs in its own process on a copy.

The reminders cron runs as Odoo runs it: ``ir.cron._process_jobs`` (every other cron
off), each job with Odoo's time budget (10 s and at least 10 calls), then again while
the cron reports customers left, as Odoo reschedules it at once.  Printed: wall time,
jobs, SQL queries per invoice (``odoo.sql_db.sql_counter``), peak RSS, and the checks:
every customer texted once, every invoice its step once, and a second run (the next
day's cron on the same day) sends nothing.
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

DB_VERSION = 1  # of prepare_database()
# one cron job may run for this long at most in a worker (Odoo's default
# limit_time_real_cron is limit_time_real: 120 s)
TIME_LIMIT_S = 120


def prepare_database(invoices, customers):
    import odoo_db

    schema = odoo_db.schema_hash(("aakash_sms", "aakash_sms_account"))
    name = f"aakbenchrem{DB_VERSION:d}_{schema}_{invoices:d}_{customers:d}"
    if odoo_db.database_exists(name):
        return name
    rng = random.Random(22)
    partners = "\n".join(
        f"Bench Customer {i:05d}\t98{41000000 + i:08d}" for i in range(customers)
    )
    # every customer at least one invoice, the others spread at random; 3 to 40 days
    # overdue (each reminder step reached by some), amounts of 500 to 50,000
    owners = list(range(customers)) + [
        rng.randrange(customers) for _i in range(invoices - customers)
    ]
    moves = "\n".join(
        f"{i}\t{owner}\t{rng.randint(3, 40)}\t{rng.randint(500, 50000)}"
        for i, owner in enumerate(owners)
    )
    setup_sql = f"""
        CREATE TEMP TABLE bench_partner (name text, phone text);
        COPY bench_partner FROM STDIN;
{partners}
\\.
        CREATE TEMP TABLE bench_move (i int, owner int, days int, amount numeric);
        COPY bench_move FROM STDIN;
{moves}
\\.
        INSERT INTO res_partner (name, complete_name, phone, active, type, lang,
                                 create_date, write_date, autopost_bills,
                                 is_company, customer_rank)
             SELECT name, name, phone, true, 'contact', 'en_US', now(), now(),
                    'ask', true, 1
               FROM bench_partner;
        UPDATE res_partner SET commercial_partner_id = id
         WHERE name LIKE 'Bench Customer %';
        CREATE TEMP TABLE bench_owner AS
             SELECT p.id, row_number() OVER (ORDER BY p.id) - 1 AS owner
               FROM res_partner p WHERE p.name LIKE 'Bench Customer %';
        INSERT INTO aakash_sms_provider (name, auth_token, base_url, company_id,
                                         is_default, active, batch_size,
                                         parallel_requests, timeout, sequence,
                                         low_balance_threshold, gsm_safe)
             VALUES ('Bench', 'bench-token', 'http://127.0.0.1:9/sms', 1,
                     true, true, 100, 4, 60, 10, 0, true);
        INSERT INTO account_move (name, journal_id, company_id, currency_id, state,
                                  move_type, auto_post, date, invoice_date,
                                  invoice_date_due, partner_id,
                                  commercial_partner_id, payment_state,
                                  amount_untaxed, amount_total, amount_residual,
                                  amount_total_signed, amount_residual_signed,
                                  create_date, write_date)
             SELECT 'INV/2026/' || lpad((m.i + 1)::text, 5, '0'),
                    (SELECT id FROM account_journal
                      WHERE type = 'sale' AND company_id = 1 LIMIT 1),
                    1, (SELECT currency_id FROM res_company WHERE id = 1),
                    'posted', 'out_invoice', 'no',
                    current_date - m.days - 30, current_date - m.days - 30,
                    current_date - m.days, o.id, o.id, 'not_paid',
                    m.amount, m.amount, m.amount, m.amount, m.amount, now(), now()
               FROM bench_move m JOIN bench_owner o ON o.owner = m.owner;
        ANALYZE;
    """
    return odoo_db.build_once(
        name, odoo_db.FULL_MODULES, "aakash_sms_account", setup_sql
    )


def child(args):
    import odoo_db

    from odoo import SUPERUSER_ID, api, sql_db
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(
        ["--config", str(odoo_db.config_file()), "--database", args.db],
        setup_logging=False,
    )
    registry = Registry(args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        cron = env.ref("aakash_sms_account.ir_cron_aakash_sms_reminders")
        # only the reminders run: the SMS queue would try the (absent) gateway
        env["ir.cron"].search([("id", "!=", cron.id)]).active = False
        cron.nextcall = "2000-01-01 00:00:00"
        cr.commit()
    IrCron = registry["ir.cron"]

    def run_jobs():
        """Odoo's cron loop until the reminders cron is not due any more."""
        jobs, longest = 0, 0.0
        while True:
            with registry.cursor() as cr:
                cr.execute(
                    "SELECT nextcall <= now() AT TIME ZONE 'UTC' "
                    "FROM ir_cron WHERE id = %s",
                    [cron.id],
                )
                [[due]] = cr.fetchall()
            if not due or jobs >= 200:
                return jobs, longest
            job_started = time.perf_counter()
            IrCron._process_jobs(args.db)
            longest = max(longest, time.perf_counter() - job_started)
            jobs += 1

    queries = sql_db.sql_counter
    started = time.perf_counter()
    jobs, longest = run_jobs()
    wall = time.perf_counter() - started
    queries = sql_db.sql_counter - queries
    with registry.cursor() as cr:
        cr.execute(
            "SELECT count(*), count(DISTINCT move_id), "
            "count(*) FILTER (WHERE is_lead), max(c) "
            "FROM aakash_sms_reminder, "
            "(SELECT max(n) AS c FROM (SELECT count(*) AS n FROM aakash_sms_reminder "
            "GROUP BY move_id, step_id) x) y"
        )
        reminders, invoices, leads, most_per_step = cr.fetchone()
        cr.execute(
            "SELECT count(*), count(DISTINCT number) FROM aakash_sms_message "
            "WHERE res_model = 'account.move'"
        )
        sms, numbers = cr.fetchone()
        # the same day again: nothing more
        cron_sudo = api.Environment(cr, SUPERUSER_ID, {})["ir.cron"].browse(cron.id)
        cron_sudo.nextcall = "2000-01-01 00:00:00"
        cr.commit()
    again, _longest = run_jobs()
    with registry.cursor() as cr:
        cr.execute("SELECT count(*) FROM aakash_sms_message")
        [[sms_after]] = cr.fetchall()
    result = {
        "wall_s": round(wall, 2),
        "jobs": jobs,
        "longest_job_s": round(longest, 2),
        "queries_per_invoice": round(queries / args.invoices, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "reminders": reminders,
        "invoices_reminded": invoices,
        "customers_texted": leads,
        "most_per_invoice_step": most_per_step,
        "sms_rows": sms,
        "distinct_numbers": numbers,
        "second_run_jobs": again,
        "sms_rows_after_second_run": sms_after,
    }
    print("RESULT " + json.dumps(result), flush=True)
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=20000)
    parser.add_argument("--customers", type=int, default=8000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    import odoo_db

    db = prepare_database(args.invoices, args.customers)
    copy = f"{db}_run_{os.getpid()}"
    odoo_db.dropdb(copy)
    subprocess.run(["createdb", "-T", db, copy], env=odoo_db.psql_env(), check=True)
    command = [sys.executable, __file__, "--child", "--db", copy]
    command += ["--invoices", str(args.invoices), "--customers", str(args.customers)]
    try:
        proc = subprocess.run(command, capture_output=True, text=True)
    finally:
        odoo_db.dropdb(copy)
    result = None
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            result = json.loads(line[7:])
    if result is None:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-5000:])
        return 1
    print(
        f"\n{args.invoices:,} overdue invoices, {args.customers:,} customers; "
        f"{odoo_db.machine()}"
    )
    for key, value in result.items():
        print(f"- {key}: {value}")
    checks = [
        (
            "every customer texted once",
            result["customers_texted"] == args.customers
            and result["sms_rows"] == args.customers
            and result["distinct_numbers"] == args.customers,
        ),
        (
            "every invoice its step once",
            result["invoices_reminded"] == args.invoices
            and result["most_per_invoice_step"] == 1,
        ),
        (
            "nothing sent by a second run the same day",
            result["sms_rows_after_second_run"] == result["sms_rows"],
        ),
        (
            f"each cron job within {TIME_LIMIT_S} s (Odoo's limit)",
            result["longest_job_s"] < TIME_LIMIT_S,
        ),
    ]
    print("\nChecks:")
    for label, ok in checks:
        print(f"- {label}: {'ok' if ok else 'FAILED'}")
    return 0 if all(ok for _label, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
