"""A loopback HTTP server that speaks Aakash SMS's API.

It answers ``/sms/v3/send``, ``/sms/v1/credit`` and ``/sms/v1/report/api``
with the reply shapes Aakash documents, keeps a credit balance per token,
records every request it received, and can be told to misbehave (delay, time
out, HTTP 500 or 429, an HTML page, broken JSON, an odd success reply, a
dropped connection, or any canned reply).  It serves requests concurrently and
records the peak number in flight (``peak_concurrency``).

In tests::

    with SandboxGateway(tokens={"tok": 100}) as gw:
        client = AakashClient("tok", base_url=gw.base_url)
        gw.inject("timeout")            # the next request is processed, then hangs

Which numbers it accepts and what a text costs are its own rules (:mod:`.rules`),
not the addon's: it stands for another system.

From the command line: ``aakash-sms-sandbox --port 8765 --token demo --credit 1000``
(or ``python -m aakash_sms_sandbox``, or ``./sandbox`` in the repository).
"""

import argparse
import contextlib
import itertools
import json
import socket
import sys
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

from .rules import mobile, parts

INVALID_TOKEN = "The provided Auth Token is not valid."
IP_NOT_ALLOWED = "Your IP address is not allowed to use this Auth Token."
NO_BALANCE = "You do not have enough balance to send this message."
FAULTS = (
    "delay",
    "timeout",
    "500",
    "429",
    "html",
    "badjson",
    "oddjson",
    "drop",
    "canned",
)
REPORT_PAGE_SIZE = 20
HTML_PAGE = (
    "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
    "<body><h1>Bad Gateway</h1><p>nginx</p></body></html>"
)


class SandboxRequest(NamedTuple):
    method: str
    path: str
    form: dict  # field -> first value
    at: float


class _Fault(NamedTuple):
    kind: str
    path: str
    seconds: float
    status: int = 200
    body: str = ""
    process: bool = False


class SandboxGateway:
    """The sandbox: state, fault queue and the HTTP server around them.

    :param tokens: ``{token: credit}`` of active tokens
    :param ip_blocked: tokens that exist but whose allowed IP is not ours
    :param latency_ms: delay added to every reply (for benchmarks)
    """

    def __init__(
        self, tokens=None, ip_blocked=(), host="127.0.0.1", port=0, latency_ms=0
    ):
        self.credits = dict(tokens if tokens is not None else {"sandbox-token": 1000})
        self.ip_blocked = set(ip_blocked)
        self.latency = latency_ms / 1000.0
        self.requests = []
        self.messages = []  # every accepted recipient, as the report lists them
        self._by_id = {}
        self.in_flight = 0
        self.peak_concurrency = 0
        self.total_sent = {}
        self._faults = []
        self._ids = itertools.count(2673160)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), _Handler)
        self._server.daemon_threads = True
        self._server.gateway = self
        self._thread = None

    # -- life cycle -------------------------------------------------------
    @property
    def port(self):
        return self._server.server_address[1]

    @property
    def base_url(self):
        return f"http://{self._server.server_address[0]}:{self.port}/sms"

    def start(self):
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="aakash-sandbox",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- test helpers -------------------------------------------------------
    def inject(
        self, kind, times=1, path="", seconds=0.0, status=200, body="", process=False
    ):
        """Make the next ``times`` requests (to ``path`` if given) misbehave.

        ``delay``: wait ``seconds`` then answer normally; ``timeout``: process
        the request, then hang ``seconds`` (default 30) before answering;
        ``drop``: process it, then close the connection without a reply;
        ``500``, ``html``, ``badjson``, ``429``: answer so without processing it;
        ``oddjson``: process it (the SMS go out), then answer HTTP 200 with a
        success reply in odd shapes (credits as strings such as ``"1.5"``,
        ids as strings, valid entries after the first as plain strings);
        ``canned``: answer ``status`` with ``body`` (a string, or JSON-able),
        after processing the request when ``process`` is true.
        """
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}, expected one of {FAULTS}")
        if not isinstance(body, str):
            body = json.dumps(body)
        with self._lock:
            self._faults.extend(
                [_Fault(kind, path, seconds, status, body, process)] * times
            )

    def clear(self):
        """Forget faults, recorded requests and the peak concurrency.

        The messages (what the report lists) stay.
        """
        with self._lock:
            self._faults.clear()
            self.requests.clear()
            self.peak_concurrency = self.in_flight

    def sent_numbers(self):
        """Every number a send request asked for, in order (duplicates kept)."""
        return [
            number
            for req in self.requests
            if req.path.endswith("/v3/send")
            for number in (req.form.get("to") or "").split(",")
            if number
        ]

    def set_status(self, message_id, status):
        """Set the report status (``delivered``, ``failed``, ...) of message ids.

        ``message_id``: one id, or a list, tuple or set of them.
        """
        ids = message_id if isinstance(message_id, (list, tuple, set)) else [message_id]
        with self._lock:
            for one in ids:
                message = self._by_id.get(int(one))
                if message is not None:
                    message["status"] = status

    def preload_report(
        self, count, status="delivered", text="Preloaded message", token=None
    ):
        """Add ``count`` already sent messages to the report, oldest first.

        Returns their ids. Numbers cycle through ``980000000X``-style Ncell numbers;
        ``status`` may be a string or a function of the position (0-based) returning
        one.
        """
        ids = []
        with self._lock:
            for position in range(count):
                entry = {
                    "id": next(self._ids),
                    "mobile": f"977{9800000000 + position % 100000000:010d}",
                    "text": text,
                    "credit": 1,
                    "network": "ncell",
                    "status": status(position) if callable(status) else status,
                    "created_at": (
                        f"2026-11-{1 + position * 20 // max(count, 1):02d} 10:00:00"
                    ),
                }
                self._record(entry)
                ids.append(entry["id"])
            if token is not None:
                self.total_sent[token] = self.total_sent.get(token, 0) + count
        return ids

    def _record(self, entry):
        self.messages.append(entry)
        self._by_id[entry["id"]] = entry

    # -- the API ------------------------------------------------------------
    def _take_fault(self, path):
        with self._lock:
            for index, fault in enumerate(self._faults):
                if not fault.path or path.endswith(fault.path):
                    return self._faults.pop(index)
        return None

    def _auth(self, form):
        token = form.get("auth_token")
        if not token:
            return {
                "error": True,
                "message": "The auth token field is required.",
                "data": [],
            }
        if token not in self.credits:
            return {"error": True, "message": INVALID_TOKEN, "data": []}
        if token in self.ip_blocked:
            return {"error": True, "message": IP_NOT_ALLOWED, "data": []}
        return None

    def handle(self, path, form):
        """Return ``(status, json-able reply)`` and apply its effects."""
        error = self._auth(form)
        if error:
            return 200, error
        token = form["auth_token"]
        if path.endswith("/v3/send"):
            return self._send(token, form)
        if path.endswith("/v1/credit"):
            with self._lock:
                return 200, {
                    "error": False,
                    "message": "Credit fetched.",
                    "data": {
                        "available_credit": self.credits[token],
                        "total_sms_sent": self.total_sent.get(token, 0),
                    },
                }
        if path.endswith("/v1/report/api"):
            return self._report(form)
        return 404, {"error": True, "message": "Not found.", "data": []}

    def _send(self, token, form):
        to, text = form.get("to", ""), form.get("text", "")
        for field, value in (("to", to), ("text", text)):
            if not value.strip():
                return 200, {
                    "error": True,
                    "message": f"The {field} field is required.",
                    "data": [],
                }
        credit = parts(text)
        asked = [(typed.strip(), mobile(typed)) for typed in to.split(",")]
        cost = credit * sum(1 for _typed, found in asked if found)
        valid, invalid = [], []
        with self._lock:
            if cost > self.credits[token]:
                return 200, {"error": True, "message": NO_BALANCE, "data": []}
            self.credits[token] -= cost
            self.total_sent[token] = self.total_sent.get(token, 0) + cost
            now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
            for typed, found in asked:
                if found:
                    number, operator = found
                    entry = {
                        "id": next(self._ids),
                        "mobile": "977" + number,
                        "text": text,
                        "credit": credit,
                        "network": operator,
                        "status": "queued",
                    }
                    valid.append(entry)
                    self._record(dict(entry, created_at=now))
                else:
                    invalid.append(
                        {
                            "mobile": typed,
                            "text": text,
                            "credit": 0,
                            "network": "N/A",
                            "status": "aborted",
                        }
                    )
        return 200, {
            "error": False,
            "message": f"{len(valid)} messages has been queued for delivery.",
            "data": {"valid": valid, "invalid": invalid},
        }

    def _report(self, form):
        try:
            page = max(1, int(form.get("page") or 1))
        except ValueError:
            return 200, {
                "error": True,
                "message": "The page must be an integer.",
                "data": [],
            }
        with self._lock:
            newest_first = list(reversed(self.messages))
        total_pages = max(1, -(-len(newest_first) // REPORT_PAGE_SIZE))
        chunk = newest_first[(page - 1) * REPORT_PAGE_SIZE : page * REPORT_PAGE_SIZE]
        return 200, {
            "error": False,
            "message": "Report fetched.",
            "total_page": total_pages,
            "data": [dict(m) for m in chunk],
        }


def _odd(reply):
    """A success reply in the odd shapes real gateways send.

    Strings for numbers, plain strings for entries.
    """
    data = reply.get("data")
    if reply.get("error") or not isinstance(data, dict):
        return reply
    valid = [
        dict(entry, id=str(entry["id"]), credit=f"{entry['credit']}.5")
        if position == 0
        else entry["mobile"]
        for position, entry in enumerate(data["valid"])
    ]
    invalid = [dict(entry, credit="0") for entry in data["invalid"]]
    return dict(reply, data={"valid": valid, "invalid": invalid})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "AakashSandbox/1.0"
    # TCP_NODELAY, as web servers set it: the headers and the body are two writes,
    # and with Nagle's algorithm the body waited for the client's delayed ACK of the
    # headers (40 ms on Linux) on every kept-alive connection's request
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):  # keep test output quiet
        pass

    def do_GET(self):
        self._serve(parse_qs(urlsplit(self.path).query))

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace")
        form = parse_qs(body, keep_blank_values=True)
        form.update(
            {
                k: v
                for k, v in parse_qs(urlsplit(self.path).query).items()
                if k not in form
            }
        )
        self._serve(form)

    def _serve(self, form):
        gateway = self.server.gateway
        with gateway._lock:
            gateway.in_flight += 1
            gateway.peak_concurrency = max(gateway.peak_concurrency, gateway.in_flight)
        self._in_flight = True
        try:
            return self._serve_one(gateway, form)
        finally:
            self._answered()

    def _answered(self):
        """The request is no longer in flight: from its answer on (the client may send
        the next one the moment the answer arrives, before this thread goes on)."""
        if getattr(self, "_in_flight", False):
            self._in_flight = False
            gateway = self.server.gateway
            with gateway._lock:
                gateway.in_flight -= 1

    def _serve_one(self, gateway, form):
        path = urlsplit(self.path).path
        form = {k: v[0] for k, v in form.items()}
        with gateway._lock:
            gateway.requests.append(
                SandboxRequest(self.command, path, form, time.time())
            )
        if gateway.latency:
            time.sleep(gateway.latency)
        fault = gateway._take_fault(path)
        kind = fault.kind if fault else ""
        if kind == "500":
            return self._reply(500, HTML_PAGE, "text/html")
        if kind == "html":
            return self._reply(200, HTML_PAGE, "text/html")
        if kind == "badjson":
            return self._reply(
                200, '{"error": false, "message": "1 messages has', "application/json"
            )
        if kind == "429":
            return self._reply(
                429, json.dumps({"message": "Too Many Attempts."}), "application/json"
            )
        if kind == "canned":
            if fault.process:
                gateway.handle(path, form)
            return self._reply(fault.status, fault.body, "application/json")
        if kind == "delay":
            time.sleep(fault.seconds)
        status, reply = gateway.handle(path, form)
        if kind == "timeout":
            time.sleep(fault.seconds or 30)
        if kind == "oddjson":
            reply = _odd(reply)
        if kind == "drop":
            self.close_connection = True
            with contextlib.suppress(OSError):  # already closed by the client
                self.connection.shutdown(socket.SHUT_RDWR)
            return None
        return self._reply(status, json.dumps(reply), "application/json")

    def _reply(self, status, body, content_type):
        data = body.encode("utf-8")
        self._answered()
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type + "; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up (timeout test): nothing to do
            self.close_connection = True


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Aakash SMS sandbox gateway on loopback."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--token", action="append", help="an active auth token (repeatable)"
    )
    parser.add_argument(
        "--credit", type=float, default=1000, help="credit of each token"
    )
    parser.add_argument(
        "--latency-ms", type=int, default=0, help="delay added to every reply"
    )
    args = parser.parse_args(argv)
    tokens = {token: args.credit for token in (args.token or ["sandbox-token"])}
    gateway = SandboxGateway(
        tokens=tokens, host=args.host, port=args.port, latency_ms=args.latency_ms
    )
    sys.stdout.write(
        f"Aakash SMS sandbox listening on {gateway.base_url} (tokens: {len(tokens)})\n"
    )
    sys.stdout.flush()
    try:
        gateway._server.serve_forever()
    except KeyboardInterrupt:
        sys.stdout.write("stopped\n")
    finally:
        gateway._server.server_close()


if __name__ == "__main__":
    main()
