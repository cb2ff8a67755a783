#!/usr/bin/env python3
"""The SMS Report's pivot on a large SMS log: how long its ``read_group`` takes.

Builds (once, kept as ``aakreport<version>_<rows>``; drop it with ``dropdb``) a
database with the addon and ``--rows`` log rows (default 100,000) spread over twelve
months, three networks, ten users, ten sends and every state, then times, as an SMS
manager who is no administrator, the read_groups the SMS Report's pivot and graph make:
month x network (credits, count, delivery rate), and by sender, company, document model
and send, each with the default "This Month" filter and without it. Prints each
time, the median of ``--repeat`` runs (the first, cold, apart).

Usage: python3 benchmarks/bench_reports.py [--rows 100000] [--repeat 5]
(with the Python that has Odoo, as run-tests; PostgreSQL as for the Odoo suite)
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

DB_VERSION = 1  # of prepare_database()
TARGET_S = 2.0  # issue #23: the pivot over the log opens in under 2 s
PIVOTS = {
    "month x network": ["create_date:month", "network"],
    "sender": ["user_id"],
    "company": ["company_id"],
    "document model": ["res_model"],
    "send": ["send_ref"],
}
MEASURES = ["credits:sum", "delivery_rate:avg", "__count"]


def prepare_database(rows):
    import odoo_db

    name = f"aakreport{DB_VERSION:d}_{rows:d}"
    if odoo_db.database_exists(name):
        return name
    setup_sql = f"""
        INSERT INTO aakash_sms_provider (name, base_url, company_id, is_default, active,
                                         batch_size, parallel_requests, timeout,
                                         sequence, low_balance_threshold, gsm_safe)
             VALUES ('Bench', 'http://127.0.0.1:9/sms', 1, true, true, 100, 4, 60, 10,
                     0, true);
        INSERT INTO aakash_sms_message (res_model, res_id, number, body, provider_id,
                                        company_id, state, network, credits,
                                        delivery_rate, user_id, send_ref, sent_date,
                                        create_date, write_date, create_uid, write_uid)
             SELECT 'res.partner', i, '98' || lpad((41000000 + i)::text, 8, '0'),
                    'Dashain offer', p.id, 1,
                    (ARRAY['queued', 'delivered', 'delivered', 'delivered',
                           'undelivered', 'rejected', 'failed',
                           'uncertain'])[1 + i % 8],
                    (ARRAY['NTC', 'Ncell', 'Smart'])[1 + i % 3],
                    CASE WHEN i % 8 < 5 THEN 1 + i % 2 ELSE 0 END,
                    CASE WHEN i % 8 BETWEEN 1 AND 3 THEN 100 ELSE 0 END,
                    2, 'send-' || (i % 10),
                    now() - (i % 365) * interval '1 day',
                    now() - (i % 365) * interval '1 day', now(), 2, 2
               FROM generate_series(1, {rows:d}) AS i, aakash_sms_provider AS p;
        ANALYZE aakash_sms_message;
    """
    return odoo_db.build_once(name, odoo_db.CORE_MODULES, "aakash_sms", setup_sql)


def measure(db, repeat):
    import odoo_db

    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry
    from odoo.tests import new_test_user
    from odoo.tools import config

    config.parse_config(
        ["--config", str(odoo_db.config_file()), "--database", db], setup_logging=False
    )
    registry = Registry(db)
    results = []
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        manager = env["res.users"].search([("login", "=", "bench_sms_manager")])
        manager = manager or new_test_user(
            env,
            login="bench_sms_manager",
            groups="base.group_user,aakash_sms.group_aakash_sms_manager",
        )
        cr.commit()
        Message = env(user=manager)["aakash.sms.message"]
        this_month = env["aakash.sms.provider"]._month_starts()[0]
        for label, groupby in PIVOTS.items():
            for period, domain in (
                ("this month", [("create_date", ">=", this_month)]),
                ("all", []),
            ):
                times = []
                for _ in range(repeat + 1):
                    Message.env.invalidate_all()
                    started = time.perf_counter()
                    Message.formatted_read_group(domain, groupby, MEASURES)
                    times.append(time.perf_counter() - started)
                results.append((label, period, times[0], statistics.median(times[1:])))
        cr.rollback()
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    db = prepare_database(args.rows)
    results = measure(db, args.repeat)
    print(f"\nSMS Report read_group on {args.rows:,} log rows (SMS manager)\n")
    print("| pivot | period | cold s | median s |\n|---|---|---|---|")
    for label, period, cold, median in results:
        print(f"| {label} | {period} | {cold:.3f} | {median:.3f} |")
    worst = max(median for *_rest, median in results)
    verdict = "met" if worst < TARGET_S else "MISSED"
    print(f"\nslowest median {worst:.3f} s, target under {TARGET_S} s: {verdict}")


if __name__ == "__main__":
    main()
