#!/usr/bin/env python3
"""Run the addon's Odoo tests in a real Odoo 19 database on real PostgreSQL.

    python scripts/odoo_suite.py [--modules LIST|core|full] [--allow-skip TEXT] [TAGS]

TEST_TAGS defaults to ``/aakash_sms``; the addons it names (``/aakash_sms_account``...)
are the ones installed (``--init``) in the test database. ``--modules`` chooses what
the database holds before that: ``full`` (the default, TEMPLATE_MODULES: Invoicing,
automation rules and Twilio SMS too), ``core`` (CORE_MODULES: the core addon's
dependencies only) or a comma-separated list; ``AAKASH_SUITE_MODULES`` sets the same.
``--allow-skip TEXT`` (repeatable): under CI=true a skipped test is a failure unless
its reason contains one of these texts (the core suite without base_automation).

Run it with a Python that imports Odoo 19 (./run-tests finds or builds one). The
database comes from ``click-odoo-initdb`` (click-odoo-contrib): a template database
with the addon's dependencies is built once (under a minute) and cached under a name
holding a hash of the content of every module it installs (Odoo's modules included,
with their dependencies), so a changed Odoo tree or dependency builds a new one; a
run copies it (a few seconds). Attachments made while building the template live in
the database (click-odoo-initdb's cache stores them there), so a copy needs no
filestore copy. The addon is then installed into the copy with ``--test-tags``; Odoo's
own summary lines are added up and printed as ``odoo: N passed, N failed``.

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
import time
from pathlib import Path

import odoo.release

REPO = Path(__file__).resolve().parent.parent
ODOO_ROOT = Path(odoo.release.__file__).resolve().parent.parent
# odoo-bin in a git clone; setup/odoo (the same launcher) in Odoo's official source
# archive
ODOO_BIN = next(
    (p for p in (ODOO_ROOT / "odoo-bin", ODOO_ROOT / "setup" / "odoo") if p.is_file()),
    ODOO_ROOT / "odoo-bin",
)
# What the test databases are made from. CORE_MODULES: the core addon's dependencies
# only (no Invoicing, no automation rules, no Twilio); TEMPLATE_MODULES: the full set,
# where aakash_sms_account and aakash_sms_twilio install with the core; the demo's.
CORE_MODULES = ["base", "mail", "sms", "phone_validation", "contacts"]
TEMPLATE_MODULES = CORE_MODULES + ["account", "base_automation", "sms_twilio"]
DEMO_MODULES = TEMPLATE_MODULES
MODULE_SETS = {"core": CORE_MODULES, "full": TEMPLATE_MODULES}
# click-odoo-initdb names its templates aakashsm-YYYYmmddHHMM-<hash>
CACHE_PREFIX = "aakashsm"
# templates kept (most recently used first); older ones with this prefix are dropped
CACHE_MAX_SIZE = 4
DB = {
    "host": os.environ.get("PGHOST", "127.0.0.1"),
    "port": os.environ.get("PGPORT", "5432"),
    "user": os.environ.get("PGUSER", "root"),
}
STATE = REPO / ".odoo"
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


def addons_path():
    paths = [ODOO_ROOT / "addons", ODOO_ROOT / "odoo" / "addons", REPO]
    return ",".join(str(p) for p in paths if p.is_dir())


def config_file():
    """An Odoo configuration file for this PostgreSQL (used by odoo-bin, click-odoo
    and pytest-odoo)."""
    STATE.mkdir(exist_ok=True)
    path = STATE / (
        "odoo-{}-{}.conf".format(DB["host"].strip("/").replace("/", "_"), DB["port"])
    )
    text = (
        "[options]\n"
        "db_host = {host}\ndb_port = {port}\ndb_user = {user}\n"
        "addons_path = {addons}\n"
        "data_dir = {data}\n"
        "http_interface = 127.0.0.1\nlist_db = False\n".format(
            **dict(DB, addons=addons_path(), data=STATE / "data")
        )
    )
    if not path.exists() or path.read_text() != text:
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(text)
        tmp.replace(path)
    return path


def odoo_command(database, *args):
    return [
        sys.executable,
        str(ODOO_BIN),
        "--config",
        str(config_file()),
        "--database",
        database,
        "--db_host",
        DB["host"],
        "--db_port",
        DB["port"],
        "--db_user",
        DB["user"],
        "--addons-path",
        addons_path(),
        "--stop-after-init",
        "--no-database-list",
        "--http-interface",
        "127.0.0.1",
        "--max-cron-threads",
        "0",
        *args,
    ]


def psql_env():
    return dict(os.environ, PGHOST=DB["host"], PGPORT=DB["port"], PGUSER=DB["user"])


def database_exists(name):
    out = subprocess.run(
        [
            "psql",
            "-d",
            "postgres",
            "-Atc",
            f"SELECT 1 FROM pg_database WHERE datname = '{name}'",
        ],
        env=psql_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.strip() == "1"


def dropdb(name):
    subprocess.run(
        ["dropdb", "--if-exists", "--force", name], env=psql_env(), check=True
    )
    filestore = STATE / "data" / "filestore" / name
    if filestore.is_dir():
        shutil.rmtree(filestore, ignore_errors=True)


def create_database(name, modules=None):
    """Create ``name`` with ``modules`` installed, from click-odoo-initdb's template
    cache."""
    modules = modules or TEMPLATE_MODULES
    command = [
        sys.executable,
        "-c",
        "from click_odoo_contrib.initdb import main; main()",
        "--config",
        str(config_file()),
        "--new-database",
        name,
        "--modules",
        ",".join(modules),
        "--no-demo",
        "--cache-prefix",
        CACHE_PREFIX,
        "--cache-max-size",
        str(CACHE_MAX_SIZE),
        "--log-level",
        "info",
    ]
    print(
        f"odoo suite: creating {name} from click-odoo-initdb's template cache "
        "(built once: under a minute)",
        flush=True,
    )
    started = time.time()
    proc = subprocess.run(command, env=psql_env(), capture_output=True, text=True)
    if proc.returncode:
        sys.stdout.write(proc.stdout[-5000:] + proc.stderr[-5000:])
        raise SystemExit(f"odoo suite: click-odoo-initdb could not create {name}")
    for line in proc.stderr.splitlines():  # what click-odoo-initdb did with its cache
        if "click_odoo_contrib.initdb:" in line:
            print(
                "  click-odoo-initdb: "
                + re.sub(r"\x1b\[[0-9;]*m", "", line.split("initdb: ", 1)[-1]).strip()
            )
    print(
        f"odoo suite: database {name} ready in {time.time() - started:.1f} s",
        flush=True,
    )


def modules_hash(modules):
    """click-odoo-initdb's key for ``modules``: a hash of the content of every module
    installed."""
    code = (
        "import sys\nfrom odoo.tools import config\nfrom odoo.modules import module\n"
        "config.parse_config(['--config', sys.argv[1]], setup_logging=False)\n"
        "module.initialize_sys_path()\n"
        "from click_odoo_contrib.initdb import addons_hash\n"
        "print(addons_hash(sys.argv[2].split(','), False))\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code, str(config_file()), ",".join(modules)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def ensure_template(modules=None):
    """The name of a template database with ``modules`` installed, for
    ``createdb -T`` (benchmarks).

    Named after click-odoo-initdb's content hash, so a changed Odoo tree or module
    makes a new one; made from click-odoo-initdb's cache. Kept for callers of the
    former API; new code: create_database().
    """
    modules = modules or TEMPLATE_MODULES
    name = "aakash_tmpl_" + modules_hash(modules)[:12]
    if not database_exists(name):
        building = f"{name}_{os.getpid()}"
        create_database(building, modules)
        renamed = subprocess.run(
            [
                "psql",
                "-d",
                "postgres",
                "-qc",
                f'ALTER DATABASE "{building}" RENAME TO "{name}"',
            ],
            env=psql_env(),
        )
        if renamed.returncode:  # another run made it first
            dropdb(building)
            if not database_exists(name):
                raise SystemExit(
                    f"odoo suite: could not make the template database {name}"
                )
    return name


def wrap_coverage(command):
    if os.environ.get("AAKASH_COVERAGE") != "1":
        return command
    return [
        command[0],
        "-m",
        "coverage",
        "run",
        "--rcfile",
        str(REPO / ".coveragerc"),
        *command[1:],
    ]


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
        if name and (REPO / name / "__manifest__.py").is_file() and name not in names:
            names.append(name)
    return names or ["aakash_sms"]


def run(test_tags="/aakash_sms", modules=None, allowed_skips=()):
    strict_problems = []
    modules = modules or TEMPLATE_MODULES
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
        create_database(database, modules)
        print(
            f"odoo suite: database with {', '.join(modules)}; installing "
            f"{', '.join(addons_of(test_tags))}; test tags {test_tags}",
            flush=True,
        )
        cmd = wrap_coverage(
            odoo_command(
                database,
                "--init",
                ",".join(addons_of(test_tags)),
                "--test-tags",
                test_tags,
                "--log-level",
                "test",
                "--http-port",
                str(18069 + os.getpid() % 1000),
            )
        )
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=REPO
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
            dropdb(database)
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
