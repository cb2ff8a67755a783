#!/usr/bin/env python3
"""Bulk sending cost: this addon vs Odoo's native composer vs the network floor.

    python3 benchmarks/bench_bulk.py [--n 1000 10000] [--latency-ms 150] [--batch 100]

Needs Odoo 19 importable and PostgreSQL (see README.md). Builds a throwaway
database with N partners with Nepali mobiles, then measures each case in its
own process (so peak memory is the case's own) against the sandbox gateway
answering every request after a fixed latency:

1. ours: the Aakash wizard over the N partners, then the queue cron until every
   recipient has an outcome;
2. native: Odoo's ``sms.composer`` in mass mode, routed to the same sandbox
   through the native bridge, then ``sms.sms._process_queue`` until done;
3. floor: ceil(N / batch) x latency.

It also times the wizard's recipient preview for 1,000 selected partners.
Prints one table and the targets; exits 0 whatever the numbers are.
"""
import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

TOKEN = "bench-token"
BODY = "Dashain offer: 20% off all dhaka topi this week at Himalayan Traders."
TARGETS = {"floor": 1.5, "queries": 4.0, "native": 2.0, "preview": 1.0}


# ----------------------------------------------------------------------------
# child: one measurement in a fresh process
# ----------------------------------------------------------------------------
def child(args):
    import odoo_suite  # noqa: F401 - sets nothing, only checks Odoo is importable
    from odoo import SUPERUSER_ID, api, sql_db
    from odoo.modules.registry import Registry
    from odoo.tools import config

    sys.path.insert(0, str(REPO))
    import conftest  # noqa: F401 - registers the bare aakash_sms package for the sandbox import
    from aakash_sms.tools.sandbox import SandboxGateway

    config.parse_config(odoo_suite.odoo_command(args.db)[2:], setup_logging=False)
    registry = Registry(args.db)
    gateway = SandboxGateway(tokens={TOKEN: 10 ** 9}, latency_ms=args.latency_ms).start()
    result = {"case": args.case, "n": args.n}
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        provider = env["aakash.sms.provider"].search([], limit=1)
        provider.write({"base_url": gateway.base_url, "batch_size": args.batch, "timeout": 60})
        partners = env["res.partner"].search([("name", "=like", "Bench %")], order="id", limit=args.n)
        assert len(partners) == args.n, "database has %d bench partners" % len(partners)
        if args.case == "native":
            env.company.aakash_sms_native = True
        cr.commit()
        env.invalidate_all()

        queries_before = sql_db.sql_counter
        started = time.perf_counter()
        if args.case == "preview":
            composer = env["aakash.sms.composer"].with_context(
                active_model="res.partner", active_ids=partners.ids).create({"body": BODY})
            result["valid"] = composer.valid_count
        elif args.case == "ours":
            composer = env["aakash.sms.composer"].with_context(
                active_model="res.partner", active_ids=partners.ids).create({"body": BODY})
            composer.action_send()
            cr.commit()
            Message = env["aakash.sms.message"]
            while Message.search_count([("state", "in", ("pending", "sending"))]):
                Message._cron_send()
            result["outcomes"] = dict(Message._read_group([], ["state"], ["__count"]))
        elif args.case == "native":
            composer = env["sms.composer"].with_context(
                default_composition_mode="mass", default_res_model="res.partner",
                default_res_ids=repr(partners.ids)).create({"body": BODY})
            composer.action_send_sms()
            cr.commit()
            Sms = env["sms.sms"]
            while Sms.search_count([("state", "=", "outgoing"), ("to_delete", "!=", True)]):
                Sms._process_queue()
            result["outcomes"] = dict(env["aakash.sms.message"]._read_group([], ["state"], ["__count"]))
        cr.commit()
        result["seconds"] = time.perf_counter() - started
        result["queries"] = sql_db.sql_counter - queries_before
    result["requests"] = sum(1 for r in gateway.requests if r.path.endswith("/v3/send"))
    result["sent"] = len(gateway.sent_numbers())
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    gateway.stop()
    print("RESULT " + json.dumps(result, default=str), flush=True)


# ----------------------------------------------------------------------------
# parent: database, cases, table
# ----------------------------------------------------------------------------
def prepare_database(max_n):
    import odoo_suite

    name = "aakash_bench_%d" % max_n
    odoo_suite.dropdb(name)
    subprocess.run(["createdb", "-T", odoo_suite.ensure_template(), name], env=odoo_suite.psql_env(), check=True)
    subprocess.run(odoo_suite.odoo_command(name, "--init", "aakash_sms", "--log-level", "warn"), check=True)
    rows = "\n".join(
        "Bench %05d\t98%08d" % (i, 41000000 + i) for i in range(max_n)
    )
    setup_sql = """
        CREATE TEMP TABLE bench (name text, phone text);
        COPY bench FROM STDIN;
%s
\\.
        INSERT INTO res_partner (name, complete_name, phone, active, type, lang, create_date, write_date,
                                 autopost_bills)
             SELECT name, name, phone, true, 'contact', 'en_US', now(), now(), 'ask' FROM bench;
        INSERT INTO aakash_sms_provider (name, auth_token, base_url, company_id, is_default, active,
                                         batch_size, timeout, sequence, low_balance_threshold)
             VALUES ('Bench', '%s', 'http://127.0.0.1:9/sms', 1, true, true, 100, 60, 10, 0);
    """ % (rows, TOKEN)
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", name], input=setup_sql, text=True,
                   env=odoo_suite.psql_env(), check=True)
    return name


def run_case(db, case, n, args):
    import odoo_suite

    copy = "%s_%s_%d" % (db, case, n)
    odoo_suite.dropdb(copy)
    subprocess.run(["createdb", "-T", db, copy], env=odoo_suite.psql_env(), check=True)
    try:
        proc = subprocess.run(
            [sys.executable, __file__, "--child", case, "--db", copy, "--n", str(n),
             "--latency-ms", str(args.latency_ms), "--batch", str(args.batch)],
            capture_output=True, text=True,
        )
    finally:
        odoo_suite.dropdb(copy)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
    return None


def machine():
    cpu = "?"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30
    return "%s, %d cores, %.0f GiB RAM" % (cpu, os.cpu_count(), mem)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--latency-ms", type=int, default=150)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--cases", nargs="+", default=["ours", "native"])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        args.case, args.n = args.child, args.n[0]
        return child(args)

    db = prepare_database(max(args.n))
    rows = []
    for n in args.n:
        floor = math.ceil(n / args.batch) * args.latency_ms / 1000
        measured = {case: run_case(db, case, n, args) for case in args.cases}
        rows.append((n, floor, measured))
    preview = run_case(db, "preview", 1000, args) if max(args.n) >= 1000 else None
    import odoo_suite
    odoo_suite.dropdb(db)

    print("\nBulk send, sandbox latency %d ms per request, batch %d, on %s" % (args.latency_ms, args.batch, machine()))
    header = "| N | case | wall s | HTTP requests | SQL queries / recipient | peak RSS MB | ours/native | ours/floor |"
    print(header)
    print("|---|---|---|---|---|---|---|---|")
    for n, floor, measured in rows:
        ours, native = measured.get("ours"), measured.get("native")
        for case, res in measured.items():
            if not res:
                print("| %d | %s | failed | | | | | |" % (n, case))
                continue
            ratio_native = ratio_floor = ""
            if case == "ours":
                ratio_floor = "%.2f" % (res["seconds"] / floor)
                if native:
                    ratio_native = "%.2f" % (res["seconds"] / native["seconds"])
            print("| %d | %s | %.2f | %d | %.2f | %.0f | %s | %s |" % (
                n, case, res["seconds"], res["requests"], res["queries"] / n, res["peak_rss_mb"],
                ratio_native, ratio_floor))
        print("| %d | floor | %.2f | %d | | | | |" % (n, floor, math.ceil(n / args.batch)))
    if preview:
        print("\nWizard preview of 1,000 partners: %.3f s" % preview["seconds"])
    print("\nTargets: ours within %.1fx of the floor, at most %.0f SQL queries per recipient, "
          "at least %.0fx faster than native, preview under %.0f s." % (
              TARGETS["floor"], TARGETS["queries"], TARGETS["native"], TARGETS["preview"]))
    for n, floor, measured in rows:
        ours, native = measured.get("ours"), measured.get("native")
        if not ours:
            continue
        checks = [
            ("floor", ours["seconds"] / floor <= TARGETS["floor"]),
            ("queries", ours["queries"] / n <= TARGETS["queries"]),
        ]
        if native:
            checks.append(("native", native["seconds"] / ours["seconds"] >= TARGETS["native"]))
        print("N=%d: %s" % (n, ", ".join("%s %s" % (name, "met" if ok else "MISSED") for name, ok in checks)))
    if preview:
        print("preview: %s" % ("met" if preview["seconds"] < TARGETS["preview"] else "MISSED"))


if __name__ == "__main__":
    main()
