"""What every script that runs Odoo shares: odoo-bin's command, databases, psql.

Imported by scripts/odoo_suite.py, check_modules, check_upgrade, check_wheel,
odoo-pytest, ./demo and the benchmark, with a Python that imports Odoo 19 (./run-tests
finds or builds one: scripts/odoo_env.py) and PGHOST/PGPORT/PGUSER set
(scripts/pg_cluster.py; default 127.0.0.1, 5432, root), read at import.

Databases come from ``click-odoo-initdb`` (click-odoo-contrib): a template with the
modules asked for is built once (under a minute) and cached under a name holding a hash
of the content of every module it installs (Odoo's own included), so a changed Odoo
tree or dependency builds a new one; a database is a copy of it (a few seconds).
Attachments made while building the template live in the database (click-odoo-initdb's
cache stores them there), so a copy needs no filestore copy.
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
STATE = REPO / ".odoo"
ODOO_ROOT = Path(odoo.release.__file__).resolve().parent.parent
# odoo-bin in a git clone; setup/odoo (the same launcher) in Odoo's official archive
ODOO_BIN = next(
    (p for p in (ODOO_ROOT / "odoo-bin", ODOO_ROOT / "setup" / "odoo") if p.is_file()),
    ODOO_ROOT / "odoo-bin",
)
# CORE_MODULES: the core addon's dependencies only (no Invoicing, no automation rules,
# no Twilio); FULL_MODULES: where aakash_sms_account and aakash_sms_twilio install with
# the core (the Odoo suite's default, the demo's, the benchmark's)
CORE_MODULES = ["base", "mail", "sms", "phone_validation", "contacts"]
FULL_MODULES = CORE_MODULES + ["account", "base_automation", "sms_twilio"]
# click-odoo-initdb names its templates aakashsm-YYYYmmddHHMM-<hash> and keeps the
# CACHE_MAX_SIZE most recently used ones
CACHE_PREFIX = "aakashsm"
CACHE_MAX_SIZE = 4
DB = {
    "host": os.environ.get("PGHOST", "127.0.0.1"),
    "port": os.environ.get("PGPORT", "5432"),
    "user": os.environ.get("PGUSER", "root"),
}


class OdooFailed(Exception):
    """odoo-bin exited non-zero or logged an error; ``output`` holds what it said."""

    def __init__(self, message, output=""):
        super().__init__(message)
        self.output = output


def odoo_addons_path():
    """Odoo's own addons folders (a git clone has addons/, the archive odoo/addons)."""
    return [
        str(p)
        for p in (ODOO_ROOT / "addons", ODOO_ROOT / "odoo" / "addons")
        if p.is_dir()
    ]


def addons_path():
    return ",".join([*odoo_addons_path(), str(REPO)])


def psql_env(**extra):
    return dict(
        os.environ, PGHOST=DB["host"], PGPORT=DB["port"], PGUSER=DB["user"], **extra
    )


def config_file():
    """An Odoo configuration file for this PostgreSQL (odoo-bin, click-odoo and
    pytest-odoo read it)."""
    STATE.mkdir(exist_ok=True)
    path = STATE / "odoo-{}-{}.conf".format(
        DB["host"].strip("/").replace("/", "_"), DB["port"]
    )
    text = (
        "[options]\n"
        f"db_host = {DB['host']}\ndb_port = {DB['port']}\ndb_user = {DB['user']}\n"
        f"addons_path = {addons_path()}\ndata_dir = {STATE / 'data'}\n"
        "http_interface = 127.0.0.1\nlist_db = False\n"
    )
    if not path.exists() or path.read_text() != text:
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(text)
        tmp.replace(path)
    return path


def odoo_command(
    database, *args, addons=None, shell=False, serve=False, coverage=False
):
    """odoo-bin on ``database`` with the configuration file; by default it stops after
    init with no cron (``serve``: it runs, crons too). ``addons`` replaces the addons
    path; ``shell`` runs odoo-bin shell; ``coverage`` runs it under ``coverage run``
    (``.coveragerc``, data in ``$COVERAGE_FILE``)."""
    command = [sys.executable]
    if coverage:
        command += ["-m", "coverage", "run", "--rcfile", str(REPO / ".coveragerc")]
    command += [str(ODOO_BIN), *(["shell"] if shell else [])]
    command += ["--config", str(config_file()), "--database", database]
    if addons:
        command += ["--addons-path", addons]
    if not (serve or shell):
        command += ["--stop-after-init", "--max-cron-threads", "0"]
    return [*command, *args]


def run_odoo(database, *args, stdin=None, show=True, cwd=REPO, env=None, **options):
    """Run odoo-bin (``odoo_command``'s options) at log level warn and return what it
    printed; an exit code or an error line raises OdooFailed (``show``: with the end of
    the output printed)."""
    proc = subprocess.run(
        odoo_command(database, "--log-level", "warn", *args, **options),
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env or psql_env(),
    )
    output = proc.stdout + proc.stderr
    errors = [
        line
        for line in output.splitlines()
        if " ERROR " in line or " CRITICAL " in line or "Traceback" in line
    ]
    if proc.returncode or errors:
        if show:
            sys.stdout.write(output[-5000:])
        raise OdooFailed(
            f"odoo-bin {' '.join(args) or 'shell'}: exit code {proc.returncode}, "
            f"{len(errors)} error line(s)",
            output,
        )
    return output


def psql(database, query, stdin=None):
    """Run ``query`` (or, with ``stdin``, a script) in ``database``: its rows, as lists
    of strings. An SQL error raises CalledProcessError."""
    command = [
        "psql",
        "-X",
        "-q",
        "-v",
        "ON_ERROR_STOP=1",
        "-d",
        database,
        "-AtF",
        "\t",
    ]
    proc = subprocess.run(
        [*command, *(["-c", query] if query else [])],
        input=stdin,
        env=psql_env(),
        capture_output=True,
        text=True,
    )
    if proc.returncode:
        raise subprocess.CalledProcessError(
            proc.returncode, query or "psql", stderr=proc.stderr
        )
    return [line.split("\t") for line in proc.stdout.splitlines()]


def database_exists(name):
    return bool(psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"))


def dropdb(name):
    subprocess.run(
        ["dropdb", "--if-exists", "--force", name], env=psql_env(), check=True
    )
    shutil.rmtree(STATE / "data" / "filestore" / name, ignore_errors=True)


def create_database(name, modules):
    """Create ``name`` with ``modules`` installed, from click-odoo-initdb's cache."""
    print(
        f"odoo db: creating {name} with {', '.join(modules)} from click-odoo-initdb's "
        "template cache (built once: under a minute)",
        flush=True,
    )
    started = time.time()
    proc = subprocess.run(
        [
            *(
                sys.executable,
                "-c",
                "from click_odoo_contrib.initdb import main; main()",
            ),
            *("--config", str(config_file()), "--new-database", name),
            *("--modules", ",".join(modules), "--no-demo", "--log-level", "info"),
            *("--cache-prefix", CACHE_PREFIX, "--cache-max-size", str(CACHE_MAX_SIZE)),
        ],
        env=psql_env(),
        capture_output=True,
        text=True,
    )
    if proc.returncode:
        sys.stdout.write(proc.stdout[-5000:] + proc.stderr[-5000:])
        raise SystemExit(f"odoo db: click-odoo-initdb could not create {name}")
    for line in proc.stderr.splitlines():  # what click-odoo-initdb did with its cache
        if "click_odoo_contrib.initdb:" in line:
            said = re.sub(r"\x1b\[[0-9;]*m", "", line.split("initdb: ", 1)[-1])
            print("  click-odoo-initdb: " + said.strip())
    print(f"odoo db: {name} ready in {time.time() - started:.1f} s", flush=True)


# ----------------------------------------------------------------------------------
# The benchmarks' databases (benchmarks/bench_*.py)
# ----------------------------------------------------------------------------------
def schema_hash(addons=("aakash_sms",)):
    """What a benchmark's database depends on: the data files and the model
    declarations of ``addons`` (not the code).

    The cases load the addons' current Python code anyway; a field or model change
    makes a new database.
    """
    import hashlib  # noqa: PLC0415 - the benchmarks' only

    digest = hashlib.sha1()
    declaration = re.compile(rb"^\s*(_name|_inherit|\w+ = (fields|models)\.)")
    for addon in addons:
        for path in sorted((REPO / addon).rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts:
                continue
            digest.update(str(path.relative_to(REPO)).encode())
            data = path.read_bytes()
            if path.suffix == ".py" and path.name != "__manifest__.py":
                data = b"\n".join(
                    line for line in data.splitlines() if declaration.match(line)
                )
            digest.update(data)
    return digest.hexdigest()[:8]


def build_once(name, modules, addon, setup_sql):
    """The benchmark database ``name``: built once (``modules``, then ``addon``
    installed, then ``setup_sql`` run by psql, the data inserted by SQL), kept for the
    next runs; a build that stops half-way leaves only ``<name>_building``."""
    if database_exists(name):
        return name
    building = name + "_building"
    dropdb(building)
    started = time.perf_counter()
    create_database(building, modules)
    run_odoo(building, "--init", addon)
    psql(building, None, stdin=setup_sql)
    psql("postgres", f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    print(
        f"bench database {name} built in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    return name


def machine():
    """This machine as a benchmark reports it: CPU, cores, RAM, PostgreSQL, Python."""
    import platform  # noqa: PLC0415 - the benchmarks' only

    cpu = "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next(
                line.split(":", 1)[1].strip()
                for line in info
                if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    try:
        pg = psql("postgres", "SHOW server_version")[0][0]
    except (OSError, subprocess.CalledProcessError):
        pg = "?"
    return (
        f"{cpu}, nproc {os.cpu_count()}, {mem:.0f} GiB RAM, PostgreSQL {pg}, "
        f"Python {platform.python_version()}"
    )
