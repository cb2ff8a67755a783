"""HTTP client of the Aakash SMS gateway (no Odoo import).

Only this module knows URLs, form fields and reply shapes; callers get
:class:`RecipientResult` objects and :mod:`.errors` exceptions.
"""
import logging
import time
from typing import NamedTuple

import requests

from . import errors
from .numbers import check_number
from .text import measure

_logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://sms.aakashsms.com/sms"
DEFAULT_BATCH_SIZE = 100
DEFAULT_MAX_SEGMENTS = 10

# Recipient outcomes
QUEUED = "queued"  # accepted by the gateway for delivery
REJECTED = "rejected"  # refused: invalid number here or at the gateway
FAILED = "failed"  # not sent: the request provably never reached the gateway
UNCERTAIN = "uncertain"  # the gateway may have it: never resend on our own
UNKNOWN = "unknown"  # the gateway answered but did not list this recipient


class RecipientResult(NamedTuple):
    """What happened to one requested recipient."""

    raw: str  # the number as requested
    number: str  # normalised 10-digit number ('' if invalid)
    state: str  # QUEUED, REJECTED, FAILED, UNCERTAIN or UNKNOWN
    message_id: str = ""
    network: str = ""
    credits: int = 0
    gateway_status: str = ""
    reason: str = ""
    error_kind: str = ""  # errors.AakashError.kind when an error decided it

    @property
    def accepted(self):
        return self.state == QUEUED


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
    """Map a ``{"error": true, "message": ...}`` reply to an exception class."""
    low = (message or "").lower()
    if "ip" in low.split() or "ip address" in low or "not allowed" in low:
        return errors.IpNotAllowedError
    if "token" in low:
        return errors.AuthenticationError
    if "balance" in low or "credit" in low:
        return errors.BalanceError
    return errors.ValidationError


class AakashClient:
    """Talks to one Aakash account.

    :param token: the account's auth token (kept out of every message and log)
    :param timeout: ``(connect, read)`` seconds, or one number for both
    :param retries: how many times a request that provably never left
        (connection refused, DNS failure, connect timeout) is tried again
    """

    def __init__(self, token, base_url=DEFAULT_BASE_URL, timeout=(5, 30),
                 batch_size=DEFAULT_BATCH_SIZE, retries=2, backoff=0.5,
                 max_segments=DEFAULT_MAX_SEGMENTS, session=None):
        if not token:
            raise errors.AuthenticationError("No Aakash SMS auth token is configured.")
        self._token = token
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.timeout = timeout if isinstance(timeout, tuple) else (timeout, timeout)
        self.batch_size = max(1, int(batch_size or DEFAULT_BATCH_SIZE))
        self.retries = max(0, int(retries))
        self.backoff = backoff
        self.max_segments = max_segments
        self.session = session or requests.Session()
        self.requests_made = 0

    def __repr__(self):
        return "<AakashClient %s>" % self.base_url

    # ------------------------------------------------------------------
    # HTTP
    # ------------------------------------------------------------------
    def _scrub(self, text):
        return str(text).replace(self._token, "***")

    def _post(self, path, data):
        """POST a form, return the decoded JSON payload of a success reply.

        Raises :class:`errors.AakashError` subclasses for everything else.
        """
        url = self.base_url + path
        payload = dict(data, auth_token=self._token)
        attempt = 0
        while True:
            attempt += 1
            try:
                self.requests_made += 1
                response = self.session.post(url, data=payload, timeout=self.timeout)
                break
            except requests.exceptions.SSLError as exc:
                raise errors.TransportError(
                    "Secure connection to the SMS gateway failed (%s)." % self._scrub(type(exc).__name__)
                ) from None
            except (requests.exceptions.ConnectTimeout, requests.exceptions.ConnectionError) as exc:
                never_sent = isinstance(exc, requests.exceptions.ConnectTimeout) or _is_connect_failure(exc)
                if not never_sent:
                    raise errors.TransportError(
                        "The SMS gateway closed the connection before answering; "
                        "the message may have been sent.", maybe_sent=True) from None
                if attempt > self.retries:
                    raise errors.TransportError(
                        "The SMS gateway at %s cannot be reached (no network, DNS or "
                        "connection refused)." % self.base_url) from None
                _logger.info("Aakash SMS: gateway unreachable, retry %d/%d", attempt, self.retries)
                time.sleep(self.backoff * (2 ** (attempt - 1)))
            except requests.exceptions.Timeout:
                raise errors.TransportError(
                    "The SMS gateway did not answer within %s seconds; the message may "
                    "have been sent." % self.timeout[1], maybe_sent=True) from None
            except requests.exceptions.RequestException as exc:
                raise errors.TransportError(
                    "Error talking to the SMS gateway: %s" % self._scrub(type(exc).__name__),
                    maybe_sent=True) from None
        return self._decode(response)

    def _decode(self, response):
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            snippet = " ".join(self._scrub(response.text[:80]).split())
            raise errors.GatewayError(
                "The SMS gateway answered with HTTP %s and a reply that is not JSON (%s...)."
                % (response.status_code, snippet), maybe_sent=True)
        if body.get("error"):
            message = self._scrub(body.get("message") or "unknown error")
            raise _classify_error_message(message)("Aakash SMS: %s" % message)
        if response.status_code >= 400:
            raise errors.GatewayError(
                "The SMS gateway answered with HTTP %s." % response.status_code, maybe_sent=True)
        return body

    # ------------------------------------------------------------------
    # API
    # ------------------------------------------------------------------
    def check_text(self, text):
        """Raise :class:`errors.ValidationError` if ``text`` cannot be sent."""
        if not text or not text.strip():
            raise errors.ValidationError("The SMS text is empty.")  # pylint: disable=translation-required
        info = measure(text)
        if self.max_segments and info.segments > self.max_segments:
            raise errors.ValidationError(  # pylint: disable=translation-required
                "The SMS text is too long: %d parts, at most %d are allowed."
                % (info.segments, self.max_segments))
        return info

    def send(self, numbers, text):
        """Send ``text`` to ``numbers``; return one result per requested number.

        Invalid and duplicate numbers are rejected without being sent.  A batch
        that fails is reported per recipient (FAILED if it provably never
        reached the gateway, UNCERTAIN otherwise); an authentication or balance
        error stops the batches after it (reported FAILED).  Only an unusable
        text raises, before anything is sent.
        """
        self.check_text(text)
        results = [None] * len(numbers)
        to_send = []  # (index, normalised number)
        first_index = {}
        for index, raw in enumerate(numbers):
            check = check_number(raw)
            if not check.valid:
                results[index] = RecipientResult(
                    str(raw or ""), "", REJECTED, reason=check.reason, gateway_status="not sent")
            elif check.number in first_index:
                results[index] = RecipientResult(
                    str(raw), check.number, REJECTED, gateway_status="not sent",
                    reason="duplicate of another recipient of this send")
            else:
                first_index[check.number] = index
                to_send.append((index, check.number))
        stop_error = None
        for start in range(0, len(to_send), self.batch_size):
            batch = to_send[start:start + self.batch_size]
            if stop_error is not None:
                self._fill(results, numbers, batch, FAILED, stop_error)
                continue
            try:
                body = self._post("/v3/send", {"to": ",".join(n for _i, n in batch), "text": text})
            except errors.AakashError as exc:
                state = UNCERTAIN if exc.maybe_sent else FAILED
                self._fill(results, numbers, batch, state, exc)
                if isinstance(exc, (errors.AuthenticationError, errors.BalanceError,
                                    errors.TransportError)) and not exc.maybe_sent:
                    stop_error = exc
                continue
            self._match(results, numbers, batch, body)
        return results

    @staticmethod
    def _fill(results, numbers, batch, state, exc):
        for index, number in batch:
            results[index] = RecipientResult(
                str(numbers[index]), number, state, reason=exc.message, error_kind=exc.kind,
                gateway_status="not sent" if state == FAILED else "")

    @staticmethod
    def _match(results, numbers, batch, body):
        data = body.get("data") or {}
        listed = {}
        for key, accepted in (("valid", True), ("invalid", False)):
            for item in data.get(key) or []:
                number = check_number(item.get("mobile")).number or str(item.get("mobile") or "")
                listed.setdefault(number, []).append((accepted, item))
        for index, number in batch:
            entries = listed.get(number)
            if not entries:
                results[index] = RecipientResult(
                    str(numbers[index]), number, UNKNOWN,
                    reason="the gateway did not report on this number")
                continue
            accepted, item = entries.pop(0)
            status = str(item.get("status") or "")
            results[index] = RecipientResult(
                str(numbers[index]), number, QUEUED if accepted else REJECTED,
                message_id=str(item.get("id") or ""),
                network=str(item.get("network") or ""),
                credits=int(item.get("credit") or 0),
                gateway_status=status,
                reason="" if accepted else "rejected by the gateway (%s)" % (status or "invalid"),
            )

    def credit(self):
        """Available credit and total SMS sent on the account."""
        body = self._post("/v1/credit", {})
        data = body.get("data") if isinstance(body.get("data"), dict) else body
        try:
            return Credit(float(data.get("available_credit") or 0), int(data.get("total_sms_sent") or 0))
        except (TypeError, ValueError):
            raise errors.GatewayError("The SMS gateway's credit reply could not be read.") from None

    def report(self, page=1):
        """One page of the account's sent messages, newest first."""
        body = self._post("/v1/report/api", {"page": page})
        data = body.get("data") or []
        total_pages = body.get("total_page") or body.get("last_page") or page
        if isinstance(data, dict):
            total_pages = data.get("total_page") or data.get("last_page") or total_pages
            data = data.get("data") or data.get("messages") or []
        entries = [
            ReportEntry(
                message_id=str(item.get("id") or ""),
                number=check_number(item.get("mobile") or item.get("receiver")).number
                or str(item.get("mobile") or ""),
                text=str(item.get("text") or item.get("message") or ""),
                network=str(item.get("network") or ""),
                credits=int(item.get("credit") or 0),
                status=str(item.get("status") or ""),
                sent_at=str(item.get("created_at") or item.get("date") or ""),
            )
            for item in data if isinstance(item, dict)
        ]
        return ReportPage(int(page), entries, int(total_pages))


def _is_connect_failure(exc):
    """True if a requests ConnectionError happened before the request was sent."""
    cause = exc.args[0] if exc.args else None
    reason = getattr(cause, "reason", cause)
    name = type(reason).__name__
    return name in ("NewConnectionError", "NameResolutionError", "ConnectTimeoutError") or isinstance(
        reason, (ConnectionRefusedError,))
