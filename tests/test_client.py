import logging
import threading
import time

import pytest
import requests

from odoo.addons.aakash_sms.tools import client as client_module
from odoo.addons.aakash_sms.tools import errors
from odoo.addons.aakash_sms.tools.client import (
    FAILED,
    NOT_REPORTED,
    QUEUED,
    REJECTED,
    THROTTLED,
    UNCERTAIN,
    UNREADABLE,
    AakashClient,
    RecipientResult,
)

from aakash_sms_sandbox import SandboxGateway

TOKEN = "tok-3f9a1c77e2"  # the sandbox token of conftest.py
A, B, C = "9812345678", "9841112222", "9801234567"


def sends(gateway):
    return [r for r in gateway.requests if r.path.endswith("/v3/send")]


def canned(gateway, body, status=200, process=True):
    """The next request is answered with ``body`` (after really sending it when
    ``process``)."""
    gateway.inject("canned", status=status, body=body, process=process)


# -- the contract ---------------------------------------------------------------
def test_send_queues_valid_numbers(client, gateway):
    results = client.send([A, B], "hello")
    assert [r.state for r in results] == [QUEUED, QUEUED]
    assert [r.raw for r in results] == [A, B]
    assert [r.number for r in results] == [A, B]
    assert [r.network for r in results] == ["ncell", "ntc"]
    assert [r.message_id for r in results] == [str(m["id"]) for m in gateway.messages]
    assert all(
        r.credits == 1
        and r.gateway_status == "queued"
        and not r.reason
        and not r.error_kind
        for r in results
    )
    assert all(r.accepted and r.maybe_sent for r in results)
    assert gateway.sent_numbers() == [A, B]
    assert sends(gateway)[0].form == {
        "auth_token": TOKEN,
        "to": A + "," + B,
        "text": "hello",
    }
    assert client.requests_made == 1


def test_send_returns_plain_named_tuples(client):
    result = client.send([A], "x")[0]
    assert isinstance(result, RecipientResult) and isinstance(result, tuple)
    assert result._fields == (
        "raw",
        "number",
        "state",
        "message_id",
        "network",
        "credits",
        "gateway_status",
        "reason",
        "error_kind",
    )
    # one name per outcome: no alias of a name that never shipped
    assert not hasattr(client_module, "UNKNOWN")


def test_unusable_numbers_are_rejected_without_being_sent(client, gateway):
    results = client.send(["123", A, "01-4412345", None], "hi") + client.send(
        [False], "hi"
    )
    assert [r.state for r in results] == [
        REJECTED,
        QUEUED,
        REJECTED,
        REJECTED,
        REJECTED,
    ]
    assert (results[4].raw, results[4].reason) == ("", "no number")
    assert results[0] == RecipientResult(
        "123",
        "",
        REJECTED,
        gateway_status="not sent",
        reason="a Nepali mobile number has 10 digits",
    )
    assert results[2].reason == "landline: SMS needs a mobile number"
    assert (results[3].raw, results[3].reason) == ("", "no number")
    assert gateway.sent_numbers() == [A]


def test_nothing_sendable_makes_no_request(client, gateway):
    assert [r.state for r in client.send(["123", "+1 555 0100"], "hi")] == [
        REJECTED,
        REJECTED,
    ]
    assert client.send([], "hi") == []
    assert not gateway.requests and client.requests_made == 0


def test_a_not_normalised_number_is_sent_normalised(client, gateway):
    result = client.send(["+977-981-2345678"], "hi")[0]
    assert (result.raw, result.number, result.state) == ("+977-981-2345678", A, QUEUED)
    assert gateway.sent_numbers() == [A]


def test_too_many_numbers_is_a_programming_error(gateway):
    client = AakashClient(TOKEN, base_url=gateway.base_url, batch_size=3)
    with pytest.raises(
        ValueError, match=r"^4 numbers given, at most 3 \(batch_size\) per send$"
    ):
        client.send([f"98{i:08d}" for i in range(4)], "x")
    assert len(client.send([f"98{i:08d}" for i in range(3)], "x")) == 3
    assert len(sends(gateway)) == 1


@pytest.mark.parametrize(
    "numbers, where",
    [
        ([A, B, A], r"^number '9812345678' given twice \(positions 0 and 2\)$"),
        ([B, A, C, A], r"^number '9812345678' given twice \(positions 1 and 3\)$"),
        ([A, "+977 " + A], "positions 0 and 1"),
        (["123", B, "123"], "positions 0 and 2"),
    ],
)
def test_duplicates_are_a_programming_error(client, gateway, numbers, where):
    with pytest.raises(ValueError, match=where):
        client.send(numbers, "x")
    assert not gateway.requests


def test_what_is_refused_before_the_request_is_known_not_sent(client, gateway):
    """Too many numbers, a number twice: the caller knows nothing left."""
    small = AakashClient(TOKEN, base_url=gateway.base_url, batch_size=1)
    for call in (lambda: small.send([A, B], "x"), lambda: client.send([A, A], "x")):
        with pytest.raises(errors.NotSentError) as caught:
            call()
        assert caught.value.kind == "not_sent" and not caught.value.maybe_sent
    assert not gateway.requests and client.requests_made == 0


def test_any_error_before_the_request_is_known_not_sent(
    client, gateway, monkeypatch, caplog
):
    def broken(raw):
        raise KeyError(raw)

    monkeypatch.setattr(client_module, "check_number", broken)
    with pytest.raises(errors.NotSentError) as caught:
        client.send([A], "x")
    assert not caught.value.maybe_sent
    assert str(caught.value) == "error in the client before the request (KeyError)"
    assert "KeyError" in caplog.text, "the bug is logged with its traceback"
    assert not gateway.requests and client.requests_made == 0


def test_default_batch_size_is_100(gateway):
    client = AakashClient(TOKEN, base_url=gateway.base_url)
    assert client.batch_size == 100
    assert AakashClient(TOKEN, batch_size=0).batch_size == 100
    with pytest.raises(ValueError):
        client.send([f"98{i:08d}" for i in range(101)], "x")
    results = client.send([f"98{i:08d}" for i in range(100)], "x")
    assert len(results) == 100 and {r.state for r in results} == {QUEUED}


# -- the text -------------------------------------------------------------------
@pytest.mark.parametrize(
    "text", ["", "   ", None, "\u200b\ufeff", " \u2060\u200d\n", 42]
)
def test_empty_text_refused_before_sending(client, gateway, text):
    with pytest.raises(errors.ValidationError, match=r"^The text is empty\.$"):
        client.send([A], text)
    assert not gateway.requests


def test_control_characters_refused_before_sending(client, gateway):
    with pytest.raises(errors.ValidationError) as caught:
        client.send([A], "a\x00b")
    assert str(caught.value) == (
        "The text contains a control character (U+0000) that cannot be sent: remove it."
    )
    with pytest.raises(errors.ValidationError) as caught:
        client.send([A], "a\x1bb\x7f")
    assert str(caught.value) == (
        "The text contains control characters (U+001B, U+007F) that cannot be "
        "sent: remove them."
    )
    assert not gateway.requests
    assert client.send([A], "two\r\nlines\tand a tab")[0].state == QUEUED


def test_over_long_text_refused_before_sending(client, gateway):
    with pytest.raises(
        errors.ValidationError,
        match=r"^The text is too long: 11 SMS parts, at most 10 are allowed\.$",
    ):
        client.send([A], "x" * (153 * 10 + 1))
    assert client.check_text("x" * (153 * 10)).segments == 10
    assert not gateway.requests
    assert AakashClient(TOKEN, max_segments=0).check_text("x" * 5000).segments == 33


# -- errors the gateway reports: provably not accepted --------------------------
def test_invalid_token(gateway, caplog):
    caplog.set_level(logging.DEBUG)
    bad = "secret-wrong-token-123"
    client = AakashClient(bad, base_url=gateway.base_url)
    results = client.send([A, B], "x")
    assert [r.state for r in results] == [FAILED, FAILED]
    assert {r.error_kind for r in results} == {"auth"}
    assert results[0].reason == "Aakash SMS: The provided Auth Token is not valid."
    assert results[0].gateway_status == "not sent"
    assert not any(r.maybe_sent for r in results)
    with pytest.raises(errors.AuthenticationError) as caught:
        client.credit()
    for text in [str(caught.value), repr(client), caplog.text] + [
        r.reason for r in results
    ]:
        assert bad not in text


def test_ip_not_allowed():
    with SandboxGateway(tokens={TOKEN: 10}, ip_blocked=[TOKEN]) as gateway:
        client = AakashClient(TOKEN, base_url=gateway.base_url)
        result = client.send([A], "x")[0]
        assert (result.state, result.error_kind) == (FAILED, "ip")
        with pytest.raises(errors.IpNotAllowedError):
            client.report()


def test_no_balance(gateway):
    gateway.credits[TOKEN] = 1
    client = AakashClient(TOKEN, base_url=gateway.base_url)
    results = client.send([A, B], "x")
    assert {r.error_kind for r in results} == {"balance"}
    assert {r.state for r in results} == {FAILED}
    assert gateway.credits[TOKEN] == 1
    assert gateway.messages == []


@pytest.mark.parametrize(
    "message, kind",
    [
        ("The provided Auth Token is not valid.", "auth"),
        ("Your IP address is not allowed to use this Auth Token.", "ip"),
        ("IP 1.2.3.4 blocked", "ip"),
        ("This Auth Token is Not Allowed here.", "ip"),
        ("Tip: the token is wrong.", "auth"),
        ("Insufficient credit.", "balance"),
        ("You do not have enough balance to send this message.", "balance"),
        ("The text field is required.", "validation"),
        ("", "validation"),
    ],
)
@pytest.mark.parametrize("status", [200, 400, 401, 422, 500])
def test_error_replies_are_failed_by_kind(client, gateway, message, kind, status):
    canned(
        gateway,
        {"error": True, "message": message, "data": []},
        status=status,
        process=False,
    )
    result = client.send([A], "x")[0]
    assert (result.state, result.error_kind, result.gateway_status) == (
        FAILED,
        kind,
        "not sent",
    )
    assert result.reason == "Aakash SMS: %s" % (message or "unknown error")


@pytest.mark.parametrize("flag", [True, 1, "true", "1"])
def test_error_flag_spellings(client, gateway, flag):
    canned(
        gateway,
        {"error": flag, "message": "The provided Auth Token is not valid."},
        process=False,
    )
    assert client.send([A], "x")[0].error_kind == "auth"


@pytest.mark.parametrize("flag", [False, 0, "false", "0", "", None])
def test_success_flag_spellings(client, gateway, flag):
    canned(
        gateway,
        {"error": flag, "message": "ok", "data": {"valid": [{"mobile": A, "id": 1}]}},
        process=False,
    )
    assert client.send([A], "x")[0].state == QUEUED


def test_http_429_is_throttled(client, gateway):
    gateway.inject("429")
    result = client.send([A, B], "x")
    assert [(r.state, r.error_kind, r.reason) for r in result] == [
        (FAILED, "throttled", THROTTLED)
    ] * 2
    assert (
        THROTTLED == "Aakash is busy (too many requests); it will be tried again later."
    )
    assert gateway.messages == [] and client.requests_made == 1
    gateway.inject("429")
    with pytest.raises(errors.ThrottledError):
        client.credit()
    canned(gateway, "<html>slow down</html>", status=429, process=False)
    assert client.send([A], "x")[0].error_kind == "throttled"


# -- the request may have been taken: uncertain ---------------------------------
def test_read_timeout_is_uncertain_and_never_retried(client, gateway):
    gateway.inject("timeout", seconds=2)
    started = time.monotonic()
    results = client.send([A], "x")
    # the gateway hangs 2 s: the client gave up before
    assert time.monotonic() - started < 1.9
    assert (results[0].state, results[0].error_kind) == (UNCERTAIN, "transport")
    assert (
        results[0].reason
        == "Aakash did not answer within 0.5 seconds; the SMS may have been sent."
    )
    assert results[0].maybe_sent and not results[0].accepted
    assert len(sends(gateway)) == 1
    assert len(gateway.messages) == 1, "the gateway did queue it"


def test_dropped_connection_is_uncertain(client, gateway):
    gateway.inject("drop")
    result = client.send([A, B], "x")
    assert [(r.state, r.error_kind) for r in result] == [(UNCERTAIN, "transport")] * 2
    assert (
        result[0].reason
        == "Aakash closed the connection before answering; the SMS may have been sent."
    )
    assert result[0].gateway_status == ""
    assert client.requests_made == 1
    gateway.inject("drop", path="/v1/credit")
    with pytest.raises(errors.TransportError) as caught:
        client.credit()
    assert caught.value.maybe_sent is True


@pytest.mark.parametrize(
    "fault, reason",
    [
        ("500", "Aakash answered with an error page (HTTP 500)."),
        ("html", "Aakash answered with a reply that is not JSON (HTTP 200)."),
        ("badjson", "Aakash answered with a reply that is not JSON (HTTP 200)."),
    ],
)
def test_broken_replies_are_uncertain(client, gateway, fault, reason):
    gateway.inject(fault)
    result = client.send([A], "x")[0]
    assert (result.state, result.error_kind, result.reason) == (
        UNCERTAIN,
        "gateway",
        reason,
    )
    assert client.requests_made == 1


@pytest.mark.parametrize(
    "status, body, reason",
    [
        (
            502,
            "<html>Bad Gateway</html>",
            "Aakash answered with an error page (HTTP 502).",
        ),
        (404, "", "Aakash answered with an error page (HTTP 404)."),
        (400, "[1, 2]", "Aakash answered with an error page (HTTP 400)."),
        (
            200,
            "[1, 2]",
            "Aakash answered with a reply of an unexpected shape (HTTP 200).",
        ),
        (
            200,
            '"queued"',
            "Aakash answered with a reply of an unexpected shape (HTTP 200).",
        ),
        (399, "nope", "Aakash answered with a reply that is not JSON (HTTP 399)."),
        (
            503,
            '{"error": false, "message": "queued"}',
            "Aakash answered with HTTP 503 and a reply it did not mark as an error "
            "or a success.",
        ),
        (
            400,
            '{"message": "hm"}',
            "Aakash answered with HTTP 400 and a reply it did not mark as an error "
            "or a success.",
        ),
        (
            200,
            '{"error": "maybe", "message": "1 messages has been queued"}',
            "Aakash answered with HTTP 200 and a reply it did not mark as an error "
            "or a success.",
        ),
    ],
)
def test_odd_http_replies_are_uncertain(client, gateway, status, body, reason):
    canned(gateway, body, status=status)
    result = client.send([A], "x")[0]
    assert (result.state, result.error_kind, result.reason) == (
        UNCERTAIN,
        "gateway",
        reason,
    )


def test_unlisted_recipient_is_uncertain_not_dropped(client, gateway):
    handle = gateway.handle

    def drop_second(path, form):
        status, reply = handle(path, form)
        if path.endswith("/v3/send"):
            reply["data"]["valid"] = reply["data"]["valid"][:1]
        return status, reply

    gateway.handle = drop_second
    results = client.send([A, B], "x")
    assert [r.state for r in results] == [QUEUED, UNCERTAIN]
    assert results[1] == RecipientResult(B, B, UNCERTAIN, reason=NOT_REPORTED)
    assert NOT_REPORTED == "the gateway did not report on this number"


def test_gateway_invalid_entry_is_rejected(client, gateway):
    canned(
        gateway,
        {
            "error": False,
            "message": "0 messages has been queued for delivery.",
            "data": {
                "valid": [],
                "invalid": [
                    {
                        "mobile": A,
                        "text": "x",
                        "credit": 0,
                        "network": "N/A",
                        "status": "aborted",
                    },
                    {"mobile": "977" + B, "status": ""},
                ],
            },
        },
        process=False,
    )
    results = client.send([A, B], "x")
    assert results[0] == RecipientResult(
        A,
        A,
        REJECTED,
        network="N/A",
        gateway_status="aborted",
        reason="rejected by the gateway (aborted)",
    )
    assert results[1].reason == "rejected by the gateway (invalid)"
    assert not results[0].maybe_sent


def test_a_number_listed_twice_keeps_its_first_valid_entry(client, gateway):
    canned(
        gateway,
        {
            "error": False,
            "data": {
                "valid": [
                    {"mobile": A, "id": 7},
                    {"mobile": A, "id": 8},
                    {"mobile": B, "id": 9},
                ],
                "invalid": [{"mobile": B}],
            },
        },
        process=False,
    )
    assert [(r.state, r.message_id) for r in client.send([A, B], "x")] == [
        (QUEUED, "7"),
        (QUEUED, "9"),
    ]


def test_a_number_listed_valid_and_invalid_counts_as_queued(client, gateway):
    canned(
        gateway,
        {
            "error": False,
            "data": {
                "valid": [
                    {"mobile": "977" + A, "id": 7, "status": "queued"},
                    {"mobile": "977" + B, "id": 8},
                ],
                "invalid": [
                    {"mobile": A, "status": "aborted"},
                    {"mobile": B, "status": "aborted"},
                ],
            },
        },
        process=False,
    )
    results = client.send([A, B], "x")
    assert [(r.state, r.message_id) for r in results] == [(QUEUED, "7"), (QUEUED, "8")]


def test_oddjson_reply_keeps_the_record_of_what_went_out(client, gateway):
    gateway.inject("oddjson")
    results = client.send([A, B, C], "x")
    assert [r.state for r in results] == [QUEUED, QUEUED, QUEUED]
    assert results[0].message_id == str(gateway.messages[0]["id"])
    assert results[0].credits == 2, "credit '1.5' is rounded up"
    assert results[1] == RecipientResult(B, B, QUEUED)
    assert len(gateway.messages) == 3


MALFORMED = [
    (
        {"error": False, "message": "queued", "data": [{"mobile": "977" + A, "id": 1}]},
        [UNCERTAIN, UNCERTAIN],
    ),
    ({"error": False, "message": "queued"}, [UNCERTAIN, UNCERTAIN]),
    ({"error": False, "data": None}, [UNCERTAIN, UNCERTAIN]),
    ({"error": False, "data": "queued"}, [UNCERTAIN, UNCERTAIN]),
    ({"error": False, "data": {}}, [UNCERTAIN, UNCERTAIN]),
    ({"error": False, "data": {"valid": "977" + A}}, [UNCERTAIN, UNCERTAIN]),
    ({"error": False, "data": {"valid": 3, "invalid": None}}, [UNCERTAIN, UNCERTAIN]),
    (
        {"error": False, "data": {"valid": 3, "invalid": [{"mobile": B}]}},
        [UNCERTAIN, REJECTED],
    ),
    ({"error": False, "data": {"valid": ["977" + A, 9779841112222]}}, [QUEUED, QUEUED]),
    (
        {"error": False, "data": {"valid": {"a": {"mobile": A, "id": 5}}}},
        [QUEUED, UNCERTAIN],
    ),
    (
        {
            "error": False,
            "data": {
                "valid": [{"id": 5}, None, [A], {"mobile": None}, {"mobile": {"x": 1}}]
            },
        },
        [UNCERTAIN, UNCERTAIN],
    ),
    (
        {
            "error": False,
            "data": {
                "valid": [
                    {
                        "mobile": A,
                        "id": 2673160.0,
                        "credit": "1.5",
                        "network": None,
                        "status": {"a": 1},
                    }
                ]
            },
        },
        [QUEUED, UNCERTAIN],
    ),
    (
        {"data": {"valid": [{"mobile": A}], "invalid": [{"mobile": B}]}},
        [QUEUED, REJECTED],
    ),
    ({"error": None, "data": {"valid": [{"mobile": A}]}}, [QUEUED, UNCERTAIN]),
    ({"error": "false", "data": {"valid": [{"mobile": A}]}}, [QUEUED, UNCERTAIN]),
    ({"error": 0, "data": {"invalid": ({"mobile": A},)}}, [REJECTED, UNCERTAIN]),
]


@pytest.mark.parametrize("body, states", MALFORMED)
def test_malformed_success_replies_never_raise(client, gateway, body, states):
    canned(gateway, body)
    results = client.send([A, B], "x")
    assert [r.state for r in results] == states
    assert [r.number for r in results] == [A, B]
    assert all(isinstance(r.credits, int) for r in results)
    assert len(gateway.messages) == 2, "the sandbox really sent them"


def test_malformed_shapes_say_why(client, gateway):
    canned(gateway, {"error": False, "data": [1]})
    result = client.send([A], "x")[0]
    assert (result.reason, result.error_kind) == (UNREADABLE, "gateway")
    canned(gateway, {"error": False, "data": {"valid": []}})
    result = client.send([A], "x")[0]
    assert (result.reason, result.error_kind) == (NOT_REPORTED, "")


@pytest.mark.parametrize(
    "credit, credits",
    [
        (1, 1),
        (2, 2),
        ("1.5", 2),
        (2.0, 2),
        ("3", 3),
        ("1,000", 1000),
        (0, 0),
        (-1, 0),
        ("abc", 0),
        (None, 0),
        (True, 0),
        ("nan", 0),
        ("inf", 0),
        ([1], 0),
        (0.2, 1),
    ],
)
def test_credit_values(client, gateway, credit, credits):
    canned(
        gateway,
        {
            "error": False,
            "data": {"valid": [{"mobile": "977" + A, "id": "x1", "credit": credit}]},
        },
    )
    result = client.send([A], "x")[0]
    assert (result.state, result.credits, result.message_id) == (QUEUED, credits, "x1")


@pytest.mark.parametrize(
    "value, text",
    [
        (12, "12"),
        (12.0, "12"),
        (12.5, "12.5"),
        (" a ", "a"),
        (None, ""),
        (True, ""),
        ({"a": 1}, ""),
        ([1], ""),
    ],
)
def test_id_values(client, gateway, value, text):
    canned(
        gateway,
        {
            "error": False,
            "data": {"valid": [{"mobile": A, "id": value, "network": value}]},
        },
    )
    result = client.send([A], "x")[0]
    assert (result.message_id, result.network) == (text, text)


def test_any_exception_while_reading_a_reply_is_uncertain(
    client, gateway, monkeypatch, caplog
):
    def broken(*_args):
        raise KeyError("surprise")

    monkeypatch.setattr(AakashClient, "_match", broken)
    results = client.send([A, B, "123"], "x")
    assert [(r.state, r.reason, r.error_kind) for r in results[:2]] == [
        (UNCERTAIN, UNREADABLE, "gateway")
    ] * 2
    assert results[2].state == REJECTED
    assert (
        "Aakash SMS: unexpected error after the request may have left"
        in caplog.messages
    )


class FakeSession:
    """Raises the given exceptions in turn, then answers with the last item if it is
    not one."""

    def __init__(self, *outcomes):
        self.outcomes = list(outcomes)
        self.calls = 0

    def post(self, url, data, timeout):
        self.calls += 1
        outcome = self.outcomes.pop(0) if len(self.outcomes) > 1 else self.outcomes[0]
        assert (
            url.endswith(("/v3/send", "/v1/credit", "/v1/report/api"))
            and data["auth_token"] == TOKEN
        )
        assert timeout == (1, 2)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


def fake_client(*outcomes, retries=2):
    return AakashClient(
        TOKEN,
        base_url="http://aakash.invalid/sms",
        session=FakeSession(*outcomes),
        timeout=(1, 2),
        retries=retries,
        backoff=0.01,
    )


def refused():
    import urllib3  # pylint: disable=import-outside-toplevel

    reason = urllib3.exceptions.NewConnectionError(None, "refused")
    return requests.exceptions.ConnectionError(
        urllib3.exceptions.MaxRetryError(None, "/", reason)
    )


@pytest.mark.parametrize(
    "exc, state, calls, words",
    [
        (requests.exceptions.ConnectTimeout("slow"), FAILED, 3, "cannot be reached"),
        (
            requests.exceptions.SSLError("bad cert"),
            FAILED,
            1,
            "The secure connection to Aakash at http://aakash.invalid/sms failed; "
            "nothing was sent.",
        ),
        (
            requests.exceptions.ConnectionError("reset by peer"),
            UNCERTAIN,
            1,
            "closed the connection",
        ),
        (
            requests.exceptions.ConnectionError(),
            UNCERTAIN,
            1,
            "Aakash closed the connection before answering; the SMS may have been "
            "sent.",
        ),
        (
            requests.exceptions.ConnectionError(ConnectionRefusedError(111, "refused")),
            FAILED,
            3,
            "cannot be reached",
        ),
        (
            requests.exceptions.ConnectionError(ConnectionResetError(104, "reset")),
            UNCERTAIN,
            1,
            "closed the connection",
        ),
        (
            requests.exceptions.ReadTimeout("slow"),
            UNCERTAIN,
            1,
            "did not answer within 2 seconds",
        ),
        (
            requests.exceptions.ChunkedEncodingError("cut"),
            UNCERTAIN,
            1,
            "Error talking to Aakash (ChunkedEncodingError); the SMS may have been "
            "sent.",
        ),
        (RuntimeError("no idea"), UNCERTAIN, 1, UNREADABLE),
        (UnicodeEncodeError("ascii", "x", 0, 1, "no"), UNCERTAIN, 1, UNREADABLE),
    ],
)
def test_transport_outcomes(exc, state, calls, words, monkeypatch):
    monkeypatch.setattr(client_module.time, "sleep", lambda _s: None)
    client = fake_client(exc)
    result = client.send([A], "x")[0]
    assert result.state == state
    assert result.reason == words if words.endswith(".") else words in result.reason
    assert client.session.calls == calls == client.requests_made
    assert result.error_kind == ("gateway" if words == UNREADABLE else "transport")


def connect_timeout_inside():
    import urllib3  # pylint: disable=import-outside-toplevel

    reason = urllib3.exceptions.ConnectTimeoutError(None, "slow")
    return requests.exceptions.ConnectionError(
        urllib3.exceptions.MaxRetryError(None, "/", reason)
    )


def test_connect_timeout_wrapped_in_a_connection_error_is_retried(monkeypatch):
    monkeypatch.setattr(client_module.time, "sleep", lambda _s: None)
    client = fake_client(connect_timeout_inside())
    assert client.send([A], "x")[0].state == FAILED
    assert client.requests_made == 3


def test_connect_failure_then_success_is_retried(monkeypatch, caplog):
    caplog.set_level(logging.INFO)
    sleeps = []
    monkeypatch.setattr(client_module.time, "sleep", sleeps.append)
    ok = requests.Response()
    ok.status_code = 200
    ok._content = (
        b'{"error": false, "data": {"valid": [{"mobile": "9812345678", "id": 9}]}}'
    )
    client = fake_client(refused(), requests.exceptions.ConnectTimeout("x"), ok)
    client.backoff = 0.5
    assert client.send([A], "x")[0].state == QUEUED
    assert sleeps == [0.5, 1.0]
    assert client.requests_made == 3
    assert [m for m in caplog.messages if "unreachable" in m] == [
        "Aakash SMS: gateway unreachable, retry 1/2",
        "Aakash SMS: gateway unreachable, retry 2/2",
    ]


def test_retries_zero_gives_up_at_once(monkeypatch):
    sleeps = []
    monkeypatch.setattr(client_module.time, "sleep", sleeps.append)
    client = fake_client(refused(), retries=0)
    result = client.send([A], "x")[0]
    assert (result.state, result.error_kind, result.gateway_status) == (
        FAILED,
        "transport",
        "not sent",
    )
    assert result.reason == (
        "Aakash cannot be reached at http://aakash.invalid/sms (no network, DNS or "
        "connection refused); nothing was sent."
    )
    assert sleeps == [] and client.requests_made == 1


def test_connection_refused_retried_with_backoff_then_failed(closed_port):
    client = AakashClient(
        TOKEN, base_url=f"http://127.0.0.1:{closed_port}/sms", retries=2, backoff=0.05
    )
    started = time.monotonic()
    result = client.send([A], "x")[0]
    assert time.monotonic() - started >= 0.05 + 0.1
    assert (result.state, result.error_kind) == (FAILED, "transport")
    assert client.requests_made == 3
    with pytest.raises(errors.TransportError) as caught:
        client.credit()
    assert caught.value.maybe_sent is False


def test_unresolvable_host_is_failed(monkeypatch):
    monkeypatch.setattr(client_module.time, "sleep", lambda _s: None)
    client = AakashClient(
        TOKEN, base_url="http://aakash-sandbox.invalid/sms", timeout=(1, 1)
    )
    result = client.send([A], "x")[0]
    assert (result.state, result.error_kind) == (FAILED, "transport")
    assert client.requests_made == 3


# -- secrets ----------------------------------------------------------------------
LONG_TOKEN = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2"


@pytest.fixture
def long_client():
    with SandboxGateway(tokens={LONG_TOKEN: 100}) as gw:
        yield AakashClient(LONG_TOKEN, base_url=gw.base_url), gw


def leaks(text, token=LONG_TOKEN, size=12):
    return [
        token[i : i + size]
        for i in range(len(token) - size + 1)
        if token[i : i + size] in text
    ]


@pytest.mark.parametrize("status", [200, 502])
def test_token_straddling_the_cut_of_an_html_reply_never_shows(long_client, status):
    client, gateway = long_client
    for shift in (60, 70, 75, 79):
        html = "<html>" + "x" * shift + "auth_token=" + LONG_TOKEN + "</html>"
        canned(gateway, html, status=status, process=False)
        result = client.send([A], "x")[0]
        assert result.state == UNCERTAIN
        assert not leaks(result.reason), result.reason
        assert "<html" not in result.reason


def test_token_in_gateway_error_messages_is_scrubbed(long_client):
    client, gateway = long_client
    messages = [
        f"The provided Auth Token {LONG_TOKEN} is not valid.",
        f"Token {LONG_TOKEN[:20]}... is not valid.",
        f"Token ...{LONG_TOKEN[-13:]} is not valid.",
        "x" * 190 + LONG_TOKEN,
        f"Token {LONG_TOKEN[:12]} and {LONG_TOKEN[-12:]}",
    ]
    for message in messages:
        canned(gateway, {"error": True, "message": message}, process=False)
        result = client.send([A], "x")[0]
        assert result.error_kind == "auth" or message.startswith("x")
        assert not leaks(result.reason), result.reason
        assert "***" in result.reason
        assert len(result.reason) <= len("Aakash SMS: ") + 200
        canned(gateway, {"error": True, "message": message}, process=False, status=400)
        with pytest.raises(errors.AakashError) as caught:
            client.credit()
        assert not leaks(str(caught.value))


@pytest.mark.parametrize(
    "piece, expected",
    [
        (LONG_TOKEN[:-1], "Aakash SMS: Token *** is not valid."),
        (LONG_TOKEN[1:], "Aakash SMS: Token *** is not valid."),
        (LONG_TOKEN[:20] + "...", "Aakash SMS: Token ***... is not valid."),
        ("..." + LONG_TOKEN[-12:], "Aakash SMS: Token ...*** is not valid."),
    ],
)
def test_token_pieces_are_replaced_exactly(long_client, piece, expected):
    client, gateway = long_client
    canned(
        gateway,
        {"error": True, "message": f"Token {piece} is not valid."},
        process=False,
    )
    assert client.send([A], "x")[0].reason == expected


def test_short_token_pieces_are_not_scrubbed(long_client):
    client, gateway = long_client
    canned(
        gateway,
        {"error": True, "message": f"Token {LONG_TOKEN[:11]} is wrong."},
        process=False,
    )
    assert (
        client.send([A], "x")[0].reason
        == f"Aakash SMS: Token {LONG_TOKEN[:11]} is wrong."
    )


def test_long_gateway_messages_are_cut_after_scrubbing(client, gateway):
    canned(
        gateway,
        {"error": True, "message": "The   text\nfield " + "y" * 300},
        process=False,
    )
    reason = client.send([A], "x")[0].reason
    assert (
        reason
        == "Aakash SMS: The text field " + "y" * (197 - len("The text field ")) + "..."
    )
    canned(gateway, {"error": True, "message": "z" * 200}, process=False)
    assert client.send([A], "x")[0].reason == "Aakash SMS: " + "z" * 200


def test_rejected_status_is_scrubbed(long_client):
    client, gateway = long_client
    canned(
        gateway,
        {
            "error": False,
            "data": {"invalid": [{"mobile": A, "status": "bad " + LONG_TOKEN}]},
        },
        process=False,
    )
    assert client.send([A], "x")[0].reason == "rejected by the gateway (bad ***)"


# -- parallel use -----------------------------------------------------------------
def test_parallel_sends_from_threads():
    with SandboxGateway(tokens={TOKEN: 1000}, latency_ms=300) as gateway:
        client = AakashClient(TOKEN, base_url=gateway.base_url, batch_size=10)
        batches = [[f"98{10 * b + i:08d}" for i in range(10)] for b in range(4)]
        outcomes = [None] * 4

        def run(position):
            outcomes[position] = client.send(batches[position], "parallel")

        threads = [threading.Thread(target=run, args=(p,)) for p in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert gateway.peak_concurrency >= 2  # the requests were on the wire together
        assert client.requests_made == 4
        for batch, results in zip(batches, outcomes, strict=False):
            assert [r.number for r in results] == batch
            assert {r.state for r in results} == {QUEUED}
        assert len({r.message_id for results in outcomes for r in results}) == 40


# -- credit -----------------------------------------------------------------------
def test_credit_and_report(client, gateway):
    before = client.credit()
    client.send([A, B], "न" * 71)  # 2 parts each
    after = client.credit()
    assert before.available - after.available == 4
    assert after.total_sent - before.total_sent == 4
    page = client.report(1)
    assert [e.number for e in page.entries] == [B, A]  # newest first
    assert page.entries[0].network == "ntc" and page.entries[0].credits == 2
    assert page.entries[0].text == "न" * 71 and page.entries[0].status == "queued"
    assert page.entries[0].sent_at and page.total_pages == 1 and page.page == 1
    gateway.set_status(int(page.entries[0].message_id), "delivered")
    assert client.report(1).entries[0].status == "delivered"


@pytest.mark.parametrize(
    "body, available, total",
    [
        (
            {"error": False, "data": {"available_credit": 12.5, "total_sms_sent": 3}},
            12.5,
            3,
        ),
        (
            {
                "error": False,
                "data": {"available_credit": "1,234.5", "total_sms_sent": "7"},
            },
            1234.5,
            7,
        ),
        ({"error": False, "available_credit": "9", "total_sms_sent": 2.0}, 9.0, 2),
        ({"error": False, "data": [], "available_credit": 0}, 0.0, 0),
        (
            {"error": False, "data": {"available_credit": 5, "total_sms_sent": "many"}},
            5.0,
            0,
        ),
    ],
)
def test_credit_shapes(client, gateway, body, available, total):
    canned(gateway, body, process=False)
    assert tuple(client.credit()) == (available, total)


@pytest.mark.parametrize(
    "body",
    [
        {"error": False, "data": {"total_sms_sent": 3}},
        {"error": False, "data": {"available_credit": "lots"}},
        {"error": False, "data": {"available_credit": None}},
        {"error": False, "data": {"available_credit": [1]}},
        {"error": False, "data": {"available_credit": True}},
    ],
)
def test_unreadable_credit_is_a_gateway_error(client, gateway, body):
    canned(gateway, body, process=False)
    with pytest.raises(
        errors.GatewayError,
        match=r"^Aakash's credit reply could not be read \(no available_credit\)\.$",
    ):
        client.credit()


@pytest.mark.parametrize(
    "fault, exc",
    [
        ("500", errors.GatewayError),
        ("html", errors.GatewayError),
        ("badjson", errors.GatewayError),
        ("429", errors.ThrottledError),
    ],
)
def test_credit_broken_replies(client, gateway, fault, exc):
    gateway.inject(fault)
    with pytest.raises(exc):
        client.credit()


def test_credit_unexpected_exception_is_a_gateway_error(client, monkeypatch, caplog):
    def broken(*_args):
        raise TypeError("boom")

    monkeypatch.setattr(AakashClient, "_decode", broken)
    with pytest.raises(errors.GatewayError, match="could not be read") as caught:
        client.credit()
    assert caught.value.maybe_sent is True
    assert "Aakash SMS: unreadable reply" in caplog.messages


# -- report -----------------------------------------------------------------------
def test_report_pages(client):
    client.send([f"98{i:08d}" for i in range(45)], "x")
    first, third = client.report(1), client.report(3)
    assert first.total_pages == third.total_pages == 3
    assert len(first.entries) == 20 and len(third.entries) == 5
    assert (
        first.entries[0].number == "9800000044"
        and third.entries[-1].number == "9800000000"
    )
    assert client.report(4).entries == []


def test_report_of_a_big_preloaded_account(client, gateway):
    ids = gateway.preload_report(
        10000, status=lambda position: "failed" if position % 3 == 0 else "delivered"
    )
    first = client.report(1)
    assert first.total_pages == 500 and first.page == 1
    assert [e.message_id for e in first.entries] == [
        str(i) for i in reversed(ids[-20:])
    ]
    last = client.report(500)
    assert [e.message_id for e in last.entries] == [str(i) for i in reversed(ids[:20])]
    assert (
        last.entries[-1].status == "failed" and last.entries[-2].status == "delivered"
    )
    gateway.set_status(ids[-1], "undelivered")
    assert client.report(1).entries[0].status == "undelivered"


REPORT_SHAPES = [
    (
        {
            "error": False,
            "total_page": 4,
            "data": [
                {
                    "id": 1,
                    "mobile": "977" + A,
                    "text": "t",
                    "network": "ncell",
                    "credit": 1,
                    "status": "delivered",
                    "created_at": "2026-11-25 10:00:00",
                }
            ],
        },
        4,
        [("1", A, "t", "ncell", 1, "delivered", "2026-11-25 10:00:00")],
    ),
    (
        {
            "error": False,
            "data": {
                "current_page": 2,
                "last_page": "7",
                "data": [
                    {
                        "id": 2.0,
                        "receiver": B,
                        "message": "m",
                        "credit": "1.5",
                        "status": "failed",
                        "date": "d",
                    },
                    "junk",
                    3,
                ],
            },
        },
        7,
        [("2", B, "m", "", 2, "failed", "d")],
    ),
    (
        {
            "error": False,
            "data": {
                "total_page": 3,
                "messages": [{"id": "9", "mobile": "01-4412345"}],
            },
        },
        3,
        [("9", "01-4412345", "", "", 0, "", "")],
    ),
    ({"error": False, "last_page": 5, "data": {"messages": []}}, 5, []),
    ({"error": False, "data": {"data": None}}, 2, []),
    ({"error": False, "data": None}, 2, []),
    ({"error": False, "total_page": "x", "data": "nope"}, 2, []),
    ({"error": False, "total_page": 0, "data": []}, 0, []),
    ({"error": False, "total_page": 9, "data": {"total_page": 4, "data": []}}, 4, []),
]


@pytest.mark.parametrize("body, total, entries", REPORT_SHAPES)
def test_report_shapes(client, gateway, body, total, entries):
    canned(gateway, body, process=False)
    page = client.report(2)
    assert page.page == 2 and page.total_pages == total
    assert [tuple(e) for e in page.entries] == entries
    assert sends(gateway) == [] and gateway.requests[0].form["page"] == "2"


def test_report_unexpected_exception_is_a_gateway_error(
    client, gateway, monkeypatch, caplog
):
    def broken(*_args):
        raise AttributeError("boom")

    monkeypatch.setattr(AakashClient, "_read_report", staticmethod(broken))
    with pytest.raises(
        errors.GatewayError, match=r"^Aakash's report could not be read\.$"
    ):
        client.report()
    assert "Aakash SMS: unreadable report" in caplog.messages


def test_report_broken_replies(client, gateway):
    gateway.inject("html")
    with pytest.raises(errors.GatewayError):
        client.report()
    gateway.inject("429")
    with pytest.raises(errors.ThrottledError):
        client.report()


def test_no_token():
    with pytest.raises(
        errors.AuthenticationError, match=r"^No Aakash SMS auth token is configured\.$"
    ):
        AakashClient("", base_url="http://127.0.0.1:1/sms")


def test_report_defaults_to_page_one(client, gateway):
    assert client.report().page == 1
    assert gateway.requests[-1].form["page"] == "1"


def test_repr_and_defaults():
    client = AakashClient("t" * 20, base_url="https://example.test/sms/")
    assert repr(client) == "<AakashClient https://example.test/sms>"
    assert (
        client.timeout == (5, 30) and client.retries == 2 and client.max_segments == 10
    )
    assert AakashClient("t", timeout=7).timeout == (7, 7)
    assert AakashClient("t", base_url="").base_url == "https://sms.aakashsms.com/sms"
    assert AakashClient("t", retries=-3).retries == 0
    assert client.backoff == 0.5 and AakashClient("t", batch_size=1).batch_size == 1
    assert AakashClient("t", base_url="http://h/X/").base_url == "http://h/X"


@pytest.mark.parametrize(
    "name", ["NewConnectionError", "NameResolutionError", "ConnectTimeoutError"]
)
def test_a_failure_to_connect_is_known_not_sent(name):
    """No connection, no name, no answer to the connect: the request never left."""
    reason = type(name, (Exception,), {})()
    wrapped = type("MaxRetryError", (Exception,), {"reason": reason})()
    assert client_module._is_connect_failure(requests.ConnectionError(wrapped))
    assert client_module._is_connect_failure(requests.ConnectionError(reason))


def test_a_connection_lost_after_connecting_may_have_been_sent():
    reason = type("ProtocolError", (Exception,), {})()
    wrapped = type("MaxRetryError", (Exception,), {"reason": reason})()
    assert not client_module._is_connect_failure(requests.ConnectionError(wrapped))
    assert not client_module._is_connect_failure(requests.ConnectionError())


def test_a_refused_connection_is_known_not_sent():
    refused = type("MaxRetryError", (Exception,), {"reason": ConnectionRefusedError()})
    assert client_module._is_connect_failure(requests.ConnectionError(refused()))
