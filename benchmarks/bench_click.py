#!/usr/bin/env python3
"""Large sends: the click's time, the queue under Odoo's worker limits, two servers.

    python3 benchmarks/bench_click.py                  # every case (many minutes)
    python3 benchmarks/bench_click.py --cases click:10000 servers:20000
                                      [--latency-ms 50] [--batch 100] [--k 4]

Issue #24's cases, runnable alone or from ``bench_bulk.py`` (``run(args)`` returns
``(target, measured, met)`` rows).  A database with the addon and 1,000,000 contacts
(inserted by SQL with ``generate_series``, Nepali mobiles, all distinct) is built once
from the suite's template; each case runs on its own copy.

Cases (``name:N``):

- ``click``: the Aakash wizard opened with "select all" over a domain of N contacts
  (the web client's context: ``active_domain`` and the first ``web.active_ids_limit``
  ids), then Send as the web client does it (the wizard saved, then
  ``action_send``).  Target: the click under 2 s; the send recorded with its N
  documents.
- ``limits``: a send of N recorded by the click, then one ``odoo-bin`` server in
  prefork mode (its cron workers; ``--no-http``) with production's limits
  (``--workers 2 --max-cron-threads 1 --limit-time-cpu 60 --limit-time-real 120
  --limit-time-real-cron 120``) running the queue's cron until the send is done.
  Target: every row has an outcome, no number twice.
- ``servers``: the same with two ``odoo-bin`` servers on the one database, and a copy
  of the queue's scheduled action (Odoo runs one scheduled action on one worker at a
  time: one copy per server makes two queue workers send at once).  Target:
  every row an outcome, no number twice, and the gateway never sees more requests at
  once than the provider's ``parallel_requests`` (the sandbox counts them).
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(REPO / "aakash_sms_sandbox"))

TOKEN = "click-token"
DB_VERSION = 1
MAX_N = 1_000_000
BODY = "Dashain offer: 20% off all dhaka topi this week at Himalayan Traders."
FULL_CASES = [
    "click:10000",
    "click:100000",
    "click:1000000",
    "limits:100000",
    "servers:20000",
]
QUICK_CASES = ["click:10000", "servers:5000"]
CLICK_S = 2
# production-like limits of one server (odoo-bin options)
LIMITS = [
    "--workers",
    "2",
    "--max-cron-threads",
    "1",
    "--limit-time-cpu",
    "60",
    "--limit-time-real",
    "120",
    "--limit-time-real-cron",
    "120",
]
REAL_CRON_S = 120  # --limit-time-real-cron above
DRAIN_TIMEOUT_S = 3600


def domain_of(n):
    """The list's domain selecting the first ``n`` bench contacts."""
    return [("name", "=like", "Click %"), ("name", "<", f"Click {n:07d}")]


# ----------------------------------------------------------------------------
# child: the click, in a fresh process
# ----------------------------------------------------------------------------
def child_click(args):
    import odoo_db

    from odoo import api, sql_db
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(
        ["--config", str(odoo_db.config_file()), "--database", args.db],
        setup_logging=False,
    )
    registry = Registry(args.db)
    result = {"n": args.n}
    with registry.cursor() as cr:
        env = api.Environment(cr, 1, {})
        user = env.ref("base.user_admin")
        env = env(user=user.id)
        domain = domain_of(args.n)
        # the web client: "select all" searches the first ids up to its limit
        limit = int(
            env["ir.config_parameter"].sudo().get_param("web.active_ids_limit", 20000)
        )
        ids = env["res.partner"].search(domain, limit=limit).ids
        Composer = env["aakash.sms.composer"].with_context(
            active_model="res.partner", active_ids=ids, active_domain=domain
        )
        cr.commit()
        env.invalidate_all()
        started = time.perf_counter()
        spec = {
            name: {}
            for name in (
                "res_model",
                "res_ids",
                "res_domain",
                "body",
                "recipient_count",
                "valid_count",
                "selection_note",
            )
        }
        values = Composer.onchange({}, [], spec)["value"]
        cr.commit()
        result["open_s"] = time.perf_counter() - started
        env.invalidate_all()
        queries = sql_db.sql_counter
        started = time.perf_counter()
        # Send: the web client saves the wizard, then calls the button
        composer = Composer.create(
            {
                "res_model": values["res_model"],
                "res_ids": values["res_ids"],
                "res_domain": values["res_domain"],
                "body": BODY,
            }
        )
        action = composer.action_send()
        cr.commit()
        result["click_s"] = time.perf_counter() - started
        result["click_queries"] = sql_db.sql_counter - queries
        result["title"] = action["params"]["title"]
        # one queue worker more per server: a copy of the queue's scheduled action
        cron = env.ref("aakash_sms.ir_cron_aakash_sms_send").sudo()
        for number in range(1, args.queue_crons):
            cron.copy({"name": f"{cron.name} ({number + 1})"})
        cr.commit()
        send = env["aakash.sms.send"].sudo().search([], order="id desc", limit=1)
        result["send_total"] = send.total_count
        result["send_state"] = send.state
    print("RESULT " + json.dumps(result), flush=True)


# ----------------------------------------------------------------------------
# parent: database, cases
# ----------------------------------------------------------------------------
def prepare_database():
    """The addon and ``MAX_N`` bench contacts, built once per schema."""
    import odoo_db

    name = f"aakclick{DB_VERSION:d}_{odoo_db.schema_hash()}_{MAX_N:d}"
    if odoo_db.database_exists(name):
        return name
    return odoo_db.build_once(
        name,
        odoo_db.CORE_MODULES,
        "aakash_sms",
        f"""
        INSERT INTO res_partner (name, complete_name, phone, active, type, lang,
                                 create_date, write_date)
             SELECT 'Click ' || lpad(i::text, 7, '0'),
                    'Click ' || lpad(i::text, 7, '0'),
                    (9840000000 + i)::text, true, 'contact', 'en_US', now(), now()
               FROM generate_series(0, {MAX_N - 1}) AS i;
        INSERT INTO aakash_sms_provider (name, auth_token, base_url, company_id,
                                         is_default, active, batch_size,
                                         parallel_requests, timeout, sequence,
                                         low_balance_threshold, gsm_safe)
             VALUES ('Click', '{TOKEN}', 'http://127.0.0.1:9/sms', 1,
                     true, true, 100, 4, 60, 10, 0, true);
        ANALYZE;
        """,
    )


def copy_database(db, label):
    import odoo_db

    copy = f"{db}_{label}_{os.getpid()}"
    odoo_db.dropdb(copy)
    subprocess.run(["createdb", "-T", db, copy], env=odoo_db.psql_env(), check=True)
    return copy


def click(copy, n, queue_crons=1):
    """The click in its own process: its result dict, or None."""
    proc = subprocess.run(
        [
            *(sys.executable, __file__, "--child", "--db", copy, "--n", str(n)),
            *("--queue-crons", str(queue_crons)),
        ],
        capture_output=True,
        text=True,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-5000:])
    return None


def case_click(db, n, _args):
    import odoo_db

    copy = copy_database(db, f"click{n}")
    try:
        res = click(copy, n)
    finally:
        odoo_db.dropdb(copy)
    if not res:
        return [(f"click {n:,}: the send is recorded", "crashed", False)]
    print(
        f"click {n:>9,}: wizard opened in {res['open_s']:.2f} s, "
        f"Send returned in {res['click_s']:.2f} s ({res['click_queries']} queries), "
        f"send of {res['send_total']:,} {res['send_state']}",
        flush=True,
    )
    return [
        (
            f"click {n:,} (select all over a domain) < {CLICK_S} s",
            f"{res['click_s']:.2f} s",
            res["click_s"] < CLICK_S and res["send_total"] == n,
        )
    ]


def case_servers(db, n, args, servers):
    """A send of ``n`` drained by ``servers`` odoo-bin processes under ``LIMITS``."""
    import odoo_db

    from aakash_sms_sandbox import SandboxGateway

    label = "servers" if servers > 1 else "limits"
    copy = copy_database(db, f"{label}{n}")
    gateway = SandboxGateway(tokens={TOKEN: 10 * n}, latency_ms=args.latency_ms)
    gateway.start()
    procs, logs = [], []
    try:
        odoo_db.psql(
            copy,
            f"UPDATE aakash_sms_provider SET base_url = '{gateway.base_url}', "
            f"batch_size = {args.batch}, parallel_requests = {args.k}",
        )
        res = click(copy, n, queue_crons=servers)
        if not res:
            return [(f"{label} {n:,}: the send is recorded", "crashed", False)]
        started = time.perf_counter()
        for number in range(servers):
            log = open(f"/tmp/bench_click_{label}_{number}.log", "w")  # noqa: SIM115
            logs.append(log)
            procs.append(
                subprocess.Popen(
                    odoo_db.odoo_command(
                        copy,
                        *LIMITS,
                        # cron workers only (no web request in this case)
                        "--no-http",
                        serve=True,
                    ),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=odoo_db.psql_env(),
                    start_new_session=True,
                )
            )
        while time.perf_counter() - started < DRAIN_TIMEOUT_S:
            time.sleep(2)
            [[preparing, open_rows]] = odoo_db.psql(
                copy,
                "SELECT (SELECT count(*) FROM aakash_sms_send"
                " WHERE state = 'preparing'),"
                " (SELECT count(*) FROM aakash_sms_message"
                " WHERE state IN ('pending', 'sending'))",
            )
            if preparing == "0" and open_rows == "0":
                break
        seconds = time.perf_counter() - started
        [[rows, documents, outcomes]] = odoo_db.psql(
            copy,
            "SELECT count(*), count(DISTINCT res_id),"
            " count(*) FILTER (WHERE state NOT IN ('pending', 'sending'))"
            " FROM aakash_sms_message",
        )
    finally:
        for proc in procs:
            # the servers this benchmark started, by their own process group
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        for log in logs:
            log.close()
        gateway.stop()
        odoo_db.dropdb(copy)
    sent = gateway.sent_numbers()
    peak = gateway.peak_concurrency
    # the longest run of the queue's job, as the servers logged it (the worker limits
    # are per run: --limit-time-real-cron, --limit-time-cpu)
    longest = max(
        (
            float(match)
            for log in logs
            for match in re.findall(
                r"Aakash SMS: send queued messages.*duration ([0-9.]+)s",
                Path(log.name).read_text(encoding="utf-8"),
            )
        ),
        default=0.0,
    )
    rows, documents, outcomes = int(rows), int(documents), int(outcomes)
    print(
        f"{label} {n:>9,}: {servers} server(s) drained in {seconds:.0f} s: {rows:,} "
        f"rows ({documents:,} documents, {outcomes:,} with an outcome), {len(sent):,} "
        f"numbers sent ({len(set(sent)):,} distinct), peak {peak} requests at once "
        f"(limit {args.k}), the queue's longest run {longest:.1f} s",
        flush=True,
    )
    results = [
        (
            f"{label} {n:,}: every row an outcome, no number twice",
            f"{outcomes:,}/{rows:,} rows, {len(sent) - len(set(sent))} twice",
            rows == n == documents == outcomes and len(sent) == len(set(sent)) == n,
        ),
        (
            f"{label} {n:,}: each run of the queue within the worker limits "
            f"(< {REAL_CRON_S} s)",
            f"{longest:.1f} s",
            0 < longest < REAL_CRON_S,
        ),
    ]
    if servers > 1:
        results.append(
            (
                f"{label} {n:,}: requests at once <= parallel_requests ({args.k})",
                str(peak),
                peak <= args.k,
            )
        )
    return results


def run(args):
    """Every case of ``args.click_cases``: ``[(target, measured, met)]``."""
    db = prepare_database()
    results = []
    for case in args.click_cases or FULL_CASES:
        kind, n = case.split(":")
        n = int(n)
        if kind == "click":
            results += case_click(db, n, args)
        elif kind == "limits":
            results += case_servers(db, n, args, servers=1)
        elif kind == "servers":
            results += case_servers(db, n, args, servers=2)
        else:
            raise SystemExit(f"unknown case {case}")
    return results


def add_arguments(parser):
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--k", type=int, default=4)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", nargs="*", dest="click_cases")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--queue-crons", type=int, default=1, help=argparse.SUPPRESS)
    add_arguments(parser)
    args = parser.parse_args()
    if args.child:
        child_click(args)
        return 0
    if not args.click_cases:
        args.click_cases = QUICK_CASES if args.quick else FULL_CASES
    results = run(args)
    print()
    for target, measured, met in results:
        print(f"{'met   ' if met else 'MISSED'} {target}: {measured}")
    return 0 if all(met for _t, _m, met in results) else 1


if __name__ == "__main__":
    sys.exit(main())
