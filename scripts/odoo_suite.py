#!/usr/bin/env python3
"""Run the addons' Odoo tests in a fresh Odoo 19 database on real PostgreSQL.

    python scripts/odoo_suite.py [--modules LIST|core|full] [--allow-skip TEXT] [TAGS]

TEST_TAGS defaults to ``/aakash_sms``; the addons it names (``/aakash_sms_account``...)
are the ones installed (``--init``) in the test database. ``--modules`` chooses what
the database holds before that: ``full`` (the default: Invoicing, automation rules and
Twilio SMS too), ``core`` (the core addon's dependencies only) or a comma-separated
list; ``AAKASH_SUITE_MODULES`` sets the same. ``--allow-skip TEXT`` (repeatable): under
CI=true a skipped test is a failure unless its reason contains one of these texts (the
core suite without base_automation).

Run it with a Python that imports Odoo 19 (./run-tests finds or builds one). The
database is a copy of click-odoo-initdb's cached template (scripts/odoo_db.py); the
addons are installed into it with ``--test-tags``, and Odoo's own summary lines are
added up and printed as ``odoo: N passed, N failed``.

Environment: PGHOST/PGPORT/PGUSER (default 127.0.0.1, 5432, root); AAKASH_KEEP_DB=1
keeps the test database; AAKASH_COVERAGE=1 runs odoo-bin under ``coverage run``
(``.coveragerc``, data in ``$COVERAGE_FILE``); CI=true makes a missing Chromium, a
skipped test or no test at all a failure.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import odoo_db  # noqa: E402 - reads PGHOST/PGPORT/PGUSER at import

MODULE_SETS = {"core": odoo_db.CORE_MODULES, "full": odoo_db.FULL_MODULES}
SUMMARY = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests")
SKIPPED = re.compile(
    r"^\S+ \S+ \d+ INFO \S+ odoo\.addons\.aakash_sms(?:_\w+)?\.\S+: skipped (.*)"
)
# Odoo's start-up warning about a model class without ``_name`` names the class only,
# not its addon: counted too (Odoo's own classes all set ``_name``)
LOG_ERROR = re.compile(
    r"^\S+ \S+ \d+ (ERROR|CRITICAL) |^\S+ \S+ \d+ WARNING .*(aakash_sms|aakash\.sms)"
    r"|^\S+ \S+ \d+ WARNING \S+ odoo\.models: Class \w+ has no _name"
)
STRICT = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def modules_option(value):
    """``core``, ``full`` or a comma-separated list of modules."""
    if value in MODULE_SETS:
        return MODULE_SETS[value]
    modules = [name.strip() for name in value.split(",") if name.strip()]
    if not modules:
        raise ValueError(f"no module in {value!r}")
    return modules


def addons_of(test_tags):
    """The addons of this repository that ``test_tags`` names (``/aakash_sms:X``...)."""
    names = []
    for tag in test_tags.split(","):
        name = re.sub(r"^[-+]?[^/]*/", "", tag.strip()).split(":")[0].split(".")[0]
        if (
            name
            and (odoo_db.REPO / name / "__manifest__.py").is_file()
            and name not in names
        ):
            names.append(name)
    return names or ["aakash_sms"]


def run(test_tags="/aakash_sms", modules=None, allowed_skips=()):
    strict_problems = []
    modules = modules or odoo_db.FULL_MODULES
    if not shutil.which("chromium") and not shutil.which("google-chrome"):
        print(
            "!!! odoo suite: no Chromium on this machine: the browser tours (HttpCase) "
            "will be SKIPPED !!!"
        )
        if STRICT:
            strict_problems.append("no Chromium: the browser tours cannot run")
    database = f"aakash_test_{os.getpid()}_{int.from_bytes(os.urandom(2), 'big')}"
    tests = failed = errors = 0
    log_errors, skipped = [], []
    returncode = 1
    try:
        odoo_db.create_database(database, modules)
        print(
            f"odoo suite: database with {', '.join(modules)}; installing "
            f"{', '.join(addons_of(test_tags))}; test tags {test_tags}",
            flush=True,
        )
        cmd = odoo_db.odoo_command(
            database,
            *("--init", ",".join(addons_of(test_tags)), "--test-tags", test_tags),
            *("--log-level", "test", "--http-port", str(18069 + os.getpid() % 1000)),
            coverage=os.environ.get("AAKASH_COVERAGE") == "1",
        )
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=odoo_db.REPO,
        )
        for line in proc.stdout:
            sys.stdout.write(line)
            match = SUMMARY.search(line)
            if match:
                failed += int(match.group(1))
                errors += int(match.group(2))
                tests += int(match.group(3))
            elif SKIPPED.match(line):
                skipped.append(SKIPPED.match(line).group(1).strip())
            elif LOG_ERROR.match(line):
                log_errors.append(line.strip())
        returncode = proc.wait()
    finally:
        if os.environ.get("AAKASH_KEEP_DB") != "1":
            odoo_db.dropdb(database)
    bad = failed + errors
    print(
        f"odoo suite: {tests} tests in database {database}, exit code {returncode}, "
        f"{len(log_errors)} error log line(s), {len(skipped)} skipped"
    )
    for line in log_errors[:20]:
        print("  " + line[:300])
    for line in skipped:
        print("  skipped: " + line[:300])
    unexpected = [
        line for line in skipped if not any(text in line for text in allowed_skips)
    ]
    if len(unexpected) < len(skipped):
        allowed = " / ".join(map(repr, allowed_skips))
        print(
            f"odoo suite: {len(skipped) - len(unexpected)} skip(s) allowed "
            f"(--allow-skip {allowed})"
        )
    if STRICT and unexpected:
        strict_problems.append(f"{len(unexpected)} test(s) skipped")
    if not tests:
        print("!!! odoo suite: no Odoo test ran !!!")
    for problem in strict_problems:
        print(f"!!! odoo suite (CI): {problem}: a failure under CI=true !!!")
    # Odoo counts a skipped test as run: it is not counted as passed here
    passed = tests - bad - len(skipped)
    failed_count = bad + (1 if strict_problems or not tests else 0)
    print(f"odoo: {passed} passed, {failed_count} failed")
    if returncode or bad or log_errors or not tests or strict_problems:
        return 1
    return 0


def main(argv):
    import argparse  # noqa: PLC0415 - the module is also imported as a library

    parser = argparse.ArgumentParser(
        description="Run the addons' Odoo tests in a fresh database."
    )
    parser.add_argument("test_tags", nargs="?", default="/aakash_sms")
    parser.add_argument(
        "--modules",
        type=modules_option,
        default=modules_option(os.environ.get("AAKASH_SUITE_MODULES") or "full"),
        help="core, full (default) or a comma-separated list of modules",
    )
    parser.add_argument(
        "--allow-skip",
        action="append",
        default=[],
        metavar="TEXT",
        help="a skip whose reason contains TEXT is no failure under CI=true",
    )
    args = parser.parse_args(argv)
    return run(args.test_tags, args.modules, args.allow_skip)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
