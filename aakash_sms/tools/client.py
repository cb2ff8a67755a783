"""HTTP client of the Aakash SMS gateway (no Odoo import).

Only this module knows URLs, form fields and reply shapes.  ``send`` answers
one gateway request with one :class:`RecipientResult` per number and never
raises once the request may have left; ``credit`` and ``report`` raise
:mod:`.errors` exceptions.

The caller (the engine) checks, de-duplicates and batches numbers; ``send``
may be called from several threads at once.
"""

import logging
import math
import re
import threading
import time
from typing import NamedTuple

import requests

from . import errors
from .numbers import check_number
from .text import MAX_SEGMENTS, measure, text_problem

_logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://sms.aakashsms.com/sms"
DEFAULT_BATCH_SIZE = 100
DEFAULT_MAX_SEGMENTS = MAX_SEGMENTS
MESSAGE_MAX = 200  # longest gateway message kept in a reason

# Recipient outcomes
QUEUED = "queued"  # accepted by the gateway for delivery
REJECTED = "rejected"  # refused: invalid number here or at the gateway
FAILED = "failed"  # not accepted: the request provably was not taken (see error_kind)
UNCERTAIN = "uncertain"  # the gateway may have it: never resend on our own

NOT_REPORTED = "the gateway did not report on this number"
THROTTLED = "Aakash is busy (too many requests); it will be tried again later."
UNREADABLE = "Aakash's reply could not be read; the SMS may have been sent."


class RecipientResult(NamedTuple):
    """What happened to one requested recipient."""

    raw: str  # the number as requested
    number: str  # normalised 10-digit number ('' if invalid)
    state: str  # QUEUED, REJECTED, FAILED or UNCERTAIN
    message_id: str = ""
    network: str = ""  # as the gateway names it ("ncell", "ntc", ...)
    credits: int = 0  # as billed by the gateway, rounded up to a whole credit
    gateway_status: str = ""
    reason: str = ""
    error_kind: str = ""  # errors.AakashError.kind when an error decided it

    @property
    def accepted(self):
        return self.state == QUEUED

    @property
    def maybe_sent(self):
        return self.state in (QUEUED, UNCERTAIN)


class Credit(NamedTuple):
    available: float
    total_sent: int


class ReportEntry(NamedTuple):
    message_id: str
    number: str
    text: str
    network: str
    credits: int
    status: str
    sent_at: str


class ReportPage(NamedTuple):
    page: int
    entries: list
    total_pages: int


def _classify_error_message(message):
    """Map the message of a ``{"error": true, "message": ...}`` reply to an exception
    class."""
    low = message.lower()
    if "ip" in re.findall(r"[a-z]+", low) or "not allowed" in low:
        return errors.IpNotAllowedError
    if "token" in low:
        return errors.AuthenticationError
    if "balance" in low or "credit" in low:
        return errors.BalanceError
    return errors.ValidationError


def _credits(value):
    """Credits as billed (``1``, ``"1.5"``, ``2.0``), rounded up; 0 when unreadable."""
    number = _number(value)
    return max(0, int(math.ceil(number))) if number is not None else 0


def _number(value):
    """A finite float from a JSON value (``3``, ``"1,234.5"``), or ``None``."""
    try:  # str() first: True, None, lists... are not numbers
        number = float(str(value).replace(",", "").strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _text(value):
    """A JSON scalar as text: ids as ``"2673160"`` whether int, float or string."""
    if value is None or isinstance(value, (bool, dict, list)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _reply_number(value):
    """The 10-digit number a reply entry names (Aakash answers ``977...``)."""
    text = _text(value)
    return check_number(text).number or text


def _error_flag(body):
    """``True``/``False`` for the reply's ``error``, ``None`` when it is unreadable."""
    flag = body.get("error")
    if flag in (True, "true", "1"):  # True == 1
        return True
    if flag in (False, None, "false", "0", ""):  # False == 0
        return False
    return None


class AakashClient:
    """Talks to one Aakash account.

    :param token: the account's auth token (kept out of every message and log)
    :param timeout: ``(connect, read)`` seconds, or one number for both
    :param batch_size: most numbers one ``send`` takes (one gateway request)
    :param retries: how many times a request that provably never left
        (connection refused, DNS failure, connect timeout) is tried again,
        after ``backoff``, then twice as long each time
    """

    def __init__(
        self,
        token,
        base_url=DEFAULT_BASE_URL,
        timeout=(5, 30),
        batch_size=DEFAULT_BATCH_SIZE,
        retries=2,
        backoff=0.5,
        max_segments=DEFAULT_MAX_SEGMENTS,
        session=None,
    ):
        if not token:
            raise errors.AuthenticationError("No Aakash SMS auth token is configured.")
        self._token = str(token)
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.timeout = timeout if isinstance(timeout, tuple) else (timeout, timeout)
        self.batch_size = max(1, int(batch_size or DEFAULT_BATCH_SIZE))
        self.retries = max(0, int(retries))
        self.backoff = backoff
        self.max_segments = max_segments
        self.session = session or requests.Session()
        self.requests_made = 0
        self._count_lock = threading.Lock()

    def __repr__(self):
        return f"<AakashClient {self.base_url}>"

    # ------------------------------------------------------------------
    # Secrets
    # ------------------------------------------------------------------
    def _scrub(self, text):
        """``text`` without the token, nor any 12+ character start or end of it."""
        text = str(text).replace(self._token, "***")
        for size in range(len(self._token) - 1, 11, -1):
            text = text.replace(self._token[:size], "***").replace(
                self._token[-size:], "***"
            )
        return text

    def _gateway_message(self, message):
        """A gateway's message, scrubbed first, then on one line and cut."""
        text = " ".join(self._scrub(message).split())
        return text if len(text) <= MESSAGE_MAX else text[: MESSAGE_MAX - 3] + "..."

    # ------------------------------------------------------------------
    # HTTP
    # ------------------------------------------------------------------
    def _request(self, path, data):
        """POST a form; return the response, or raise :class:`errors.TransportError`.

        Only failures that prove the request never left are retried.
        """
        url = self.base_url + path
        payload = dict(data, auth_token=self._token)
        attempt = 0
        while True:
            attempt += 1
            with self._count_lock:
                self.requests_made += 1
            try:
                return self.session.post(url, data=payload, timeout=self.timeout)
            except requests.exceptions.SSLError:
                raise errors.TransportError(
                    f"The secure connection to Aakash at {self.base_url} failed; "
                    "nothing was sent."
                ) from None
            except (
                requests.exceptions.ConnectTimeout,
                requests.exceptions.ConnectionError,
            ) as exc:
                never_sent = isinstance(
                    exc, requests.exceptions.ConnectTimeout
                ) or _is_connect_failure(exc)
                if not never_sent:
                    raise errors.TransportError(
                        "Aakash closed the connection before answering; the SMS may "
                        "have been sent.",
                        maybe_sent=True,
                    ) from None
                if attempt > self.retries:
                    raise errors.TransportError(
                        f"Aakash cannot be reached at {self.base_url} (no network, "
                        "DNS or connection refused); nothing was sent."
                    ) from None
                _logger.info(
                    "Aakash SMS: gateway unreachable, retry %d/%d",
                    attempt,
                    self.retries,
                )
                time.sleep(self.backoff * (2 ** (attempt - 1)))
            except requests.exceptions.Timeout:
                raise errors.TransportError(
                    f"Aakash did not answer within {self.timeout[1]} seconds; the SMS "
                    "may have been sent.",
                    maybe_sent=True,
                ) from None
            except requests.exceptions.RequestException as exc:
                raise errors.TransportError(
                    f"Error talking to Aakash ({type(exc).__name__}); the SMS may "
                    "have been sent.",
                    maybe_sent=True,
                ) from None

    def _decode(self, response):
        """The JSON object of a success reply; raise :mod:`.errors` for anything
        else."""
        status = response.status_code
        if status == 429:
            raise errors.ThrottledError(THROTTLED)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            if status >= 400:
                message = f"Aakash answered with an error page (HTTP {status})."
            elif body is None:
                message = (
                    f"Aakash answered with a reply that is not JSON (HTTP {status})."
                )
            else:
                message = (
                    "Aakash answered with a reply of an unexpected shape "
                    f"(HTTP {status})."
                )
            raise errors.GatewayError(message, maybe_sent=True)
        flag = _error_flag(body)
        if flag:
            message = self._gateway_message(body.get("message") or "unknown error")
            raise _classify_error_message(message)(f"Aakash SMS: {message}")
        if flag is None or status >= 400:
            raise errors.GatewayError(
                f"Aakash answered with HTTP {status} and a reply it did not mark as "
                "an error or a success.",
                maybe_sent=True,
            )
        return body

    def _post(self, path, data):
        """Request and decode; any unexpected failure becomes a
        :class:`errors.GatewayError`."""
        response = self._request(path, data)
        try:
            return self._decode(response)
        except errors.AakashError:
            raise
        except Exception:  # pylint: disable=broad-except
            _logger.exception("Aakash SMS: unreadable reply")
            raise errors.GatewayError(UNREADABLE, maybe_sent=True) from None

    # ------------------------------------------------------------------
    # API
    # ------------------------------------------------------------------
    def check_text(self, text):
        """Raise :class:`errors.ValidationError` if ``text`` cannot be sent
        (:func:`.text.text_problem`, with this client's ``max_segments``); else
        measure it."""
        problem = text_problem(text, max_segments=self.max_segments)
        if problem:
            raise errors.ValidationError(problem.sentence())
        return measure(text)

    def send(self, numbers, text):
        """Send ``text`` to ``numbers`` in one gateway request.

        ``numbers`` are distinct normalised numbers, at most ``batch_size``.
        Returns one :class:`RecipientResult` per number, in order.  Raises
        only before any request, an :class:`errors.AakashError` that is never
        ``maybe_sent``: :class:`errors.ValidationError` for an unusable text,
        :class:`errors.NotSentError` (a ``ValueError``) for too many or
        duplicate numbers, or any other error before the request.
        """
        try:
            numbers, results, to_send = self._prepare(numbers, text)
        except errors.AakashError:
            raise
        except Exception as exc:  # noqa: BLE001 - nothing left: say so  # pylint: disable=broad-except
            _logger.exception("Aakash SMS: error before the request, nothing sent")
            raise errors.NotSentError(
                f"error in the client before the request ({type(exc).__name__})"
            ) from None
        if to_send:
            self._send_batch(results, numbers, to_send, text)
        return results

    def _prepare(self, numbers, text):
        """``(numbers, results, to_send)``: what :meth:`send` checks before the
        request; ``to_send`` lists ``(index, normalised number)`` of the valid ones."""
        self.check_text(text)
        numbers = list(numbers)
        if len(numbers) > self.batch_size:
            raise errors.NotSentError(
                f"{len(numbers)} numbers given, at most {self.batch_size} "
                "(batch_size) per send"
            )
        results = [None] * len(numbers)
        seen = {}
        to_send = []  # (index, normalised number)
        for index, raw in enumerate(numbers):
            raw = "" if raw is None or raw is False else str(raw)
            check = check_number(raw)
            key = check.number or raw
            if key in seen:
                raise errors.NotSentError(
                    f"number {raw!r} given twice (positions {seen[key]} and {index})"
                )
            seen[key] = index
            if check.valid:
                to_send.append((index, check.number))
            else:
                results[index] = RecipientResult(
                    raw, "", REJECTED, gateway_status="not sent", reason=check.reason
                )
        return numbers, results, to_send

    def _send_batch(self, results, numbers, batch, text):
        try:
            response = self._request(
                "/v3/send", {"to": ",".join(n for _i, n in batch), "text": text}
            )
            body = self._decode(response)
            self._match(results, numbers, batch, body)
        except errors.AakashError as exc:
            self._fill(
                results,
                numbers,
                batch,
                UNCERTAIN if exc.maybe_sent else FAILED,
                exc.message,
                exc.kind,
            )
        except Exception:  # pylint: disable=broad-except
            _logger.exception(
                "Aakash SMS: unexpected error after the request may have left"
            )
            self._fill(results, numbers, batch, UNCERTAIN, UNREADABLE, "gateway")

    @staticmethod
    def _fill(results, numbers, batch, state, reason, kind):
        """Give every recipient of ``batch`` not decided yet the same outcome."""
        for index, number in batch:
            if results[index] is None:
                results[index] = RecipientResult(
                    str(numbers[index]),
                    number,
                    state,
                    reason=reason,
                    error_kind=kind,
                    gateway_status="not sent" if state == FAILED else "",
                )

    def _match(self, results, numbers, batch, body):
        """Read a success reply; recipients it does not list are UNCERTAIN."""
        data = body.get("data")
        listed = {}
        if isinstance(data, dict):
            for key, accepted in (("valid", True), ("invalid", False)):
                items = data.get(key)
                if isinstance(items, dict):
                    items = list(items.values())
                if not isinstance(items, (list, tuple)):
                    continue
                for item in items:
                    self._list_entry(listed, item, accepted)
        for index, number in batch:
            entry = listed.get(number)
            if entry is None:
                continue
            accepted, item = entry
            status = _text(item.get("status"))
            results[index] = RecipientResult(
                str(numbers[index]),
                number,
                QUEUED if accepted else REJECTED,
                message_id=_text(item.get("id")),
                network=_text(item.get("network")),
                credits=_credits(item.get("credit")),
                gateway_status=status,
                reason=""
                if accepted
                else "rejected by the gateway (%s)"
                % (self._gateway_message(status) or "invalid"),
            )
        reason = NOT_REPORTED if isinstance(data, dict) else UNREADABLE
        self._fill(
            results,
            numbers,
            batch,
            UNCERTAIN,
            reason,
            "" if isinstance(data, dict) else "gateway",
        )

    @staticmethod
    def _list_entry(listed, item, accepted):
        if not isinstance(item, dict):
            item = {"mobile": item}
        number = _reply_number(item.get("mobile"))
        # "valid" is read first: a number listed in both was sent
        if number and number not in listed:
            listed[number] = (accepted, item)

    def credit(self):
        """Available credit and total SMS sent on the account."""
        body = self._post("/v1/credit", {})
        data = body.get("data") if isinstance(body.get("data"), dict) else body
        available = _number(data.get("available_credit"))
        total = _number(data.get("total_sms_sent"))
        if available is None:
            raise errors.GatewayError(
                "Aakash's credit reply could not be read (no available_credit)."
            )
        return Credit(available, int(total or 0))

    def report(self, page=1):
        """One page of the account's sent messages, newest first."""
        page = int(page)
        body = self._post("/v1/report/api", {"page": page})
        try:
            return self._read_report(body, page)
        except Exception:  # pylint: disable=broad-except
            _logger.exception("Aakash SMS: unreadable report")
            raise errors.GatewayError("Aakash's report could not be read.") from None

    @staticmethod
    def _read_report(body, page):
        data = body.get("data")
        totals = [body]
        if isinstance(data, dict):
            totals.insert(0, data)
            data = data.get("data", data.get("messages"))
        total_pages = page
        for source in totals:
            value = _number(source.get("total_page", source.get("last_page")))
            if value is not None:
                total_pages = int(value)
                break
        entries = [
            ReportEntry(
                message_id=_text(item.get("id")),
                number=_reply_number(item.get("mobile", item.get("receiver"))),
                text=_text(item.get("text", item.get("message"))),
                network=_text(item.get("network")),
                credits=_credits(item.get("credit")),
                status=_text(item.get("status")),
                sent_at=_text(item.get("created_at", item.get("date"))),
            )
            for item in (data if isinstance(data, list) else [])
            if isinstance(item, dict)
        ]
        return ReportPage(page, entries, total_pages)


def _is_connect_failure(exc):
    """True if a requests ConnectionError happened before the request was sent."""
    cause = exc.args[0] if exc.args else None
    reason = getattr(cause, "reason", cause)
    name = type(reason).__name__
    return name in (
        "NewConnectionError",
        "NameResolutionError",
        "ConnectTimeoutError",
    ) or isinstance(reason, ConnectionRefusedError)
