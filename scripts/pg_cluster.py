#!/usr/bin/env python3
"""PostgreSQL for the tests and the demo: the one at PGHOST/PGPORT, or a private
cluster.

    python3 scripts/pg_cluster.py ensure   # prints shell assignments: PGHOST=...
                                           # PGPORT=... PGUSER=... AAKASH_PG_STARTED=0|1
    python3 scripts/pg_cluster.py stop     # stops the private cluster, if it runs
    python3 scripts/pg_cluster.py status

Standard library only. If something answers on ``PGHOST``:``PGPORT`` (default
127.0.0.1:5432), that is used. Otherwise a private cluster lives under ``.odoo/pg/``
(git-ignored) and is started on a free port of 127.0.0.1 with Debian's PostgreSQL
binaries (``apt-get install postgresql`` when they are missing and we are root).
initdb and postgres refuse to run as root: as root they run as the system user
``postgres``. The cluster trusts local TCP connections and has a superuser role named
``PGUSER`` (default: the current user). Its data stays, so the template databases
cached in it are reused by the next run. fsync is off: it holds test and demo data only.
"""

import getpass
import glob
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from odoo_env import REPO, SetupError, apt_install  # noqa: E402

PG_DIR = REPO / ".odoo" / "pg"


def answers(host, port, timeout=1.0):
    if host.startswith("/"):
        return Path(host, f".s.PGSQL.{port}").exists()
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            return True
    except OSError:
        return False


def free_port(start=54320):
    for port in range(start, start + 200):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SetupError(
        f"no free port for a private PostgreSQL between {start} and {start + 199}"
    )


def bindir():
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(p.split("/")[4]),
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def as_owner(command):
    """Run ``command`` as the cluster's owner: ``postgres`` when we are root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def data_dir():
    return PG_DIR / "data"


def read_port():
    try:
        return int((PG_DIR / "port").read_text())
    except (OSError, ValueError):
        return None


def running():
    """The port of the private cluster if it is running and answering."""
    port = read_port()
    try:
        alive = (data_dir() / "postmaster.pid").exists()
    except OSError:  # the data dir is the postgres user's: we are someone else
        alive = True
    if port and alive and answers("127.0.0.1", port):
        return port
    return None


def ensure_binaries():
    if bindir():
        return bindir()
    apt_install(
        ["postgresql"],
        "a private PostgreSQL cluster (nothing answers on PGHOST/PGPORT)",
    )
    if not bindir():
        raise SetupError(
            "PostgreSQL's binaries (initdb) are still missing after apt-get install "
            "postgresql"
        )
    return bindir()


def init_cluster(bins):
    PG_DIR.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        try:
            subprocess.run(["id", "postgres"], check=True, capture_output=True)
        except subprocess.CalledProcessError as exc:
            raise SetupError(
                "running as root and there is no system user `postgres` to run initdb "
                "as"
            ) from exc
        shutil.chown(PG_DIR, "postgres")
        probe = subprocess.run(
            ["runuser", "-u", "postgres", "--", "test", "-w", str(PG_DIR)]
        )
        if probe.returncode:
            raise SetupError(
                f"the system user postgres cannot write to {PG_DIR} (a parent folder "
                "is closed to it): move the clone, or set PGHOST/PGPORT to a running "
                "PostgreSQL"
            )
    proc = subprocess.run(
        as_owner(
            [
                str(bins / "initdb"),
                "-D",
                str(data_dir()),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        ),
        capture_output=True,
        text=True,
    )
    if proc.returncode:
        raise SetupError(
            "initdb failed: {}".format((proc.stderr.strip().splitlines() or ["?"])[-1])
        )
    with open(data_dir() / "postgresql.conf", "a") as conf:
        conf.write(
            "\n# private cluster of the Aakash SMS tests and demo "
            "(scripts/pg_cluster.py)\n"
            "listen_addresses = '127.0.0.1'\nunix_socket_directories = ''\n"
            "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
            "max_connections = 200\n"
        )


def ensure():
    host = os.environ.get("PGHOST", "127.0.0.1")
    port = os.environ.get("PGPORT", "5432")
    user = os.environ.get("PGUSER") or (
        "root" if os.geteuid() == 0 else getpass.getuser()
    )
    if answers(host, port):
        return host, port, user, False
    port = running()
    if port:
        return "127.0.0.1", str(port), user, False
    bins = ensure_binaries()
    if not (data_dir() / "PG_VERSION").exists():
        print(
            "pg: nothing answers on {}:{}; creating a private cluster in {}".format(
                host, os.environ.get("PGPORT", "5432"), data_dir().relative_to(REPO)
            ),
            file=sys.stderr,
        )
        init_cluster(bins)
    port = free_port()
    log_file = PG_DIR / "postgresql.log"
    if os.geteuid() == 0 and not log_file.exists():
        log_file.touch()
        shutil.chown(log_file, "postgres")
    proc = subprocess.run(
        as_owner(
            [
                str(bins / "pg_ctl"),
                "-D",
                str(data_dir()),
                "-l",
                str(log_file),
                "-w",
                "-t",
                "60",
                "-o",
                f"-p {port:d}",
                "start",
            ]
        ),
        capture_output=True,
        text=True,
    )
    if proc.returncode or not answers("127.0.0.1", port):
        raise SetupError(f"the private PostgreSQL did not start (see {log_file})")
    (PG_DIR / "port").write_text(f"{port:d}\n")
    print(
        f"pg: private PostgreSQL started on 127.0.0.1:{port:d} "
        f"(data in {data_dir().relative_to(REPO)})",
        file=sys.stderr,
    )
    create_role(port, user)
    return "127.0.0.1", str(port), user, True


def create_role(port, user):
    sql = (
        f"DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{user}') "
        f'THEN CREATE ROLE "{user}" SUPERUSER LOGIN; END IF; END$$;'
    )
    for _attempt in range(20):
        proc = subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-qAtc",
                sql,
            ],
            capture_output=True,
            text=True,
        )
        if proc.returncode == 0:
            return
        time.sleep(0.5)
    raise SetupError(
        f"could not create the role {user} in the private PostgreSQL: "
        f"{proc.stderr.strip()}"
    )


def stop():
    bins = bindir()
    if bins and (data_dir() / "postmaster.pid").exists():
        subprocess.run(
            as_owner(
                [
                    str(bins / "pg_ctl"),
                    "-D",
                    str(data_dir()),
                    "-m",
                    "fast",
                    "-w",
                    "stop",
                ]
            ),
            capture_output=True,
        )
        print("pg: private PostgreSQL stopped", file=sys.stderr)


def main(argv):
    command = argv[0] if argv else "ensure"
    try:
        if command == "ensure":
            host, port, user, started = ensure()
            print(
                f"PGHOST={host} PGPORT={port} PGUSER={user} "
                f"AAKASH_PG_STARTED={started:d}"
            )
        elif command == "stop":
            stop()
        elif command == "status":
            port = running()
            state = f"running on 127.0.0.1:{port:d}" if port else "not running"
            print(f"private PostgreSQL: {state}")
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except SetupError as exc:
        print(f"pg: {exc}", file=sys.stderr)
        return 3
    except OSError as exc:
        print(
            f"pg: nothing answers on {os.environ.get('PGHOST', '127.0.0.1')}:"
            f"{os.environ.get('PGPORT', '5432')} and no private PostgreSQL can be made "
            f"here: {exc}",
            file=sys.stderr,
        )
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
