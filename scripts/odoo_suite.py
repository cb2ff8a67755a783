#!/usr/bin/env python3
"""Run the addon's Odoo tests in a real Odoo 19 database on real PostgreSQL.

A template database with the addon's dependencies is built once (about a
minute) and copied for every run (``createdb -T``, under a second).  The
addon is installed into the copy with ``--test-tags /aakash_sms``; Odoo's own
summary lines are added up and printed as ``odoo: N passed, N failed``.

Environment: PGHOST/PGPORT/PGUSER (default 127.0.0.1, 5432, root),
AAKASH_KEEP_DB=1 keeps the test database for inspection.
"""
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path


import odoo.release

REPO = Path(__file__).resolve().parent.parent
ODOO_ROOT = Path(odoo.release.__file__).resolve().parent.parent
TEMPLATE_MODULES = ["base", "mail", "sms", "account", "base_automation", "sms_twilio"]
DB = {
    "host": os.environ.get("PGHOST", "127.0.0.1"),
    "port": os.environ.get("PGPORT", "5432"),
    "user": os.environ.get("PGUSER", "root"),
}
SUMMARY = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests")
LOG_ERROR = re.compile(r"^\S+ \S+ \d+ (ERROR|CRITICAL) |^\S+ \S+ \d+ WARNING .*(aakash_sms|aakash\.sms)")


def odoo_command(database, *args):
    addons = [ODOO_ROOT / "addons", ODOO_ROOT / "odoo" / "addons", REPO]
    return [
        sys.executable, str(ODOO_ROOT / "odoo-bin"),
        "--database", database,
        "--db_host", DB["host"], "--db_port", DB["port"], "--db_user", DB["user"],
        "--addons-path", ",".join(str(p) for p in addons if p.is_dir()),
        "--stop-after-init", "--no-database-list", "--http-interface", "127.0.0.1", "--max-cron-threads", "0",
        *args,
    ]


def psql_env():
    return dict(os.environ, PGHOST=DB["host"], PGPORT=DB["port"], PGUSER=DB["user"])


def database_exists(name):
    out = subprocess.run(
        ["psql", "-d", "postgres", "-Atc", "SELECT 1 FROM pg_database WHERE datname = '%s'" % name],
        env=psql_env(), capture_output=True, text=True, check=True,
    ).stdout
    return out.strip() == "1"


def dropdb(name):
    subprocess.run(["dropdb", "--if-exists", "--force", name], env=psql_env(), check=True)


def template_name():
    key = "%s:%s" % (odoo.release.version, ",".join(TEMPLATE_MODULES))
    return "aakash_tmpl_" + hashlib.sha1(key.encode()).hexdigest()[:10]


def ensure_template():
    name = template_name()
    if database_exists(name):
        return name
    building = name + "_building"
    dropdb(building)
    print("odoo suite: building template database %s (once, about a minute)..." % name, flush=True)
    started = time.time()
    proc = subprocess.run(
        odoo_command(building, "--init", ",".join(TEMPLATE_MODULES), "--log-level", "warn"),
        capture_output=True, text=True,
    )
    if proc.returncode:
        sys.stdout.write(proc.stdout[-5000:] + proc.stderr[-5000:])
        raise SystemExit("odoo suite: could not build the template database")
    subprocess.run(["psql", "-d", "postgres", "-qc", 'ALTER DATABASE "%s" RENAME TO "%s"' % (building, name)],
                   env=psql_env(), check=True)
    print("odoo suite: template ready in %.0fs" % (time.time() - started), flush=True)
    return name


def run(test_tags="/aakash_sms"):
    if not shutil.which("chromium") and not shutil.which("google-chrome"):
        print("!!! odoo suite: no Chromium on this machine: the browser tours (HttpCase) will be SKIPPED !!!")
    template = ensure_template()
    database = "aakash_test_%d" % os.getpid()
    dropdb(database)
    subprocess.run(["createdb", "-T", template, database], env=psql_env(), check=True)
    tests = failed = errors = 0
    log_errors = []
    try:
        cmd = odoo_command(database, "--init", "aakash_sms", "--test-tags", test_tags,
                           "--log-level", "test", "--http-port", str(18069 + os.getpid() % 1000))
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for line in proc.stdout:
            sys.stdout.write(line)
            match = SUMMARY.search(line)
            if match:
                failed += int(match.group(1))
                errors += int(match.group(2))
                tests += int(match.group(3))
            elif LOG_ERROR.match(line):
                log_errors.append(line.strip())
        returncode = proc.wait()
    finally:
        if os.environ.get("AAKASH_KEEP_DB") != "1":
            dropdb(database)
    bad = failed + errors
    print("odoo suite: %d tests in database %s (copy of %s), exit code %d, %d error log line(s)"
          % (tests, database, template, returncode, len(log_errors)))
    for line in log_errors[:20]:
        print("  " + line[:300])
    print("odoo: %d passed, %d failed" % (tests - bad, bad))
    if returncode or bad or log_errors or not tests:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(run(*sys.argv[1:2]))
