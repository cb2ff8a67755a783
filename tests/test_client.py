import logging
import time

import pytest

from aakash_sms.tools import errors
from aakash_sms.tools.client import FAILED, QUEUED, REJECTED, UNCERTAIN, UNKNOWN, AakashClient
from aakash_sms.tools.sandbox import SandboxGateway

TOKEN = "tok-3f9a1c77e2"  # the sandbox token of conftest.py


def sends(gateway):
    return [r for r in gateway.requests if r.path.endswith("/v3/send")]


def test_send_queues_valid_numbers(client, gateway):
    results = client.send(["+977-981-2345678", "984 111 2222"], "hello")
    assert [r.state for r in results] == [QUEUED, QUEUED]
    assert [r.number for r in results] == ["9812345678", "9841112222"]
    assert [r.network for r in results] == ["ncell", "ntc"]
    assert all(r.message_id and r.credits == 1 and r.gateway_status == "queued" for r in results)
    assert gateway.sent_numbers() == ["9812345678", "9841112222"]
    assert sends(gateway)[0].form == {"auth_token": TOKEN, "to": "9812345678,9841112222", "text": "hello"}


def test_invalid_and_duplicate_numbers_are_rejected_locally(client, gateway):
    results = client.send(["123", "9812345678", "+977 9812345678", "01-4412345"], "hi")
    assert [r.state for r in results] == [REJECTED, QUEUED, REJECTED, REJECTED]
    assert "10 digits" in results[0].reason
    assert "duplicate" in results[2].reason
    assert gateway.sent_numbers() == ["9812345678"]


def test_batching_preserves_order(gateway):
    client = AakashClient(TOKEN, base_url=gateway.base_url, batch_size=3)
    numbers = ["98%08d" % i for i in range(7)]
    results = client.send(numbers, "batch")
    assert len(sends(gateway)) == 3
    assert [r.number for r in results] == numbers
    assert all(r.state == QUEUED for r in results)
    assert client.requests_made == 3


def test_unlisted_recipient_is_unknown_not_dropped(client, gateway):
    handle = gateway.handle

    def drop_second(path, form):
        status, reply = handle(path, form)
        if path.endswith("/v3/send"):
            reply["data"]["valid"] = reply["data"]["valid"][:1]
        return status, reply

    gateway.handle = drop_second
    results = client.send(["9812345678", "9841112222"], "x")
    assert [r.state for r in results] == [QUEUED, UNKNOWN]
    assert results[1].number == "9841112222"


@pytest.mark.parametrize("text", ["", "   ", None])
def test_empty_text_refused_before_sending(client, gateway, text):
    with pytest.raises(errors.ValidationError, match="empty"):
        client.send(["9812345678"], text)
    assert not gateway.requests


def test_over_long_text_refused_before_sending(client, gateway):
    with pytest.raises(errors.ValidationError, match="too long"):
        client.send(["9812345678"], "x" * (153 * 10 + 1))
    assert not gateway.requests


def test_invalid_token(gateway, caplog):
    caplog.set_level(logging.DEBUG)
    bad = "secret-wrong-token-123"
    client = AakashClient(bad, base_url=gateway.base_url, batch_size=1)
    results = client.send(["9812345678", "9841112222"], "x")
    assert [r.state for r in results] == [FAILED, FAILED]
    assert {r.error_kind for r in results} == {"auth"}
    assert "not valid" in results[0].reason
    assert len(sends(gateway)) == 1, "after an auth error the next batches are not attempted"
    with pytest.raises(errors.AuthenticationError) as caught:
        client.credit()
    for text in [str(caught.value), repr(client), caplog.text] + [r.reason for r in results]:
        assert bad not in text


def test_ip_not_allowed():
    with SandboxGateway(tokens={TOKEN: 10}, ip_blocked=[TOKEN]) as gateway:
        client = AakashClient(TOKEN, base_url=gateway.base_url)
        assert client.send(["9812345678"], "x")[0].error_kind == "ip"
        with pytest.raises(errors.IpNotAllowedError):
            client.report()


def test_no_balance(gateway):
    gateway.credits[TOKEN] = 1
    client = AakashClient(TOKEN, base_url=gateway.base_url)
    results = client.send(["9812345678", "9841112222"], "x")
    assert {r.error_kind for r in results} == {"balance"}
    assert {r.state for r in results} == {FAILED}
    assert gateway.credits[TOKEN] == 1
    assert gateway.messages == []


def test_read_timeout_is_uncertain_and_never_retried(client, gateway):
    gateway.inject("timeout", seconds=2)
    started = time.monotonic()
    results = client.send(["9812345678"], "x")
    assert time.monotonic() - started < 1.5
    assert results[0].state == UNCERTAIN
    assert "may have been sent" in results[0].reason
    assert len(sends(gateway)) == 1
    assert len(gateway.messages) == 1, "the gateway did queue it"


def test_dropped_connection_is_uncertain(client, gateway):
    gateway.inject("drop")
    results = client.send(["9812345678"], "x")
    assert results[0].state == UNCERTAIN
    assert client.requests_made == 1


@pytest.mark.parametrize("fault, words", [("500", "HTTP 500"), ("html", "not JSON"), ("badjson", "not JSON")])
def test_broken_replies_are_uncertain(client, gateway, fault, words):
    gateway.inject(fault)
    result = client.send(["9812345678"], "x")[0]
    assert result.state == UNCERTAIN
    assert result.error_kind == "gateway"
    assert words in result.reason
    assert len(result.reason) < 200
    assert client.requests_made == 1


def test_short_delay_is_fine(client, gateway):
    gateway.inject("delay", seconds=0.1)
    assert client.send(["9812345678"], "x")[0].state == QUEUED


def test_connection_refused_retried_with_backoff_then_failed(closed_port):
    client = AakashClient(TOKEN, base_url="http://127.0.0.1:%d/sms" % closed_port, retries=2, backoff=0.05)
    started = time.monotonic()
    result = client.send(["9812345678"], "x")[0]
    assert time.monotonic() - started >= 0.05 + 0.1
    assert (result.state, result.error_kind) == (FAILED, "transport")
    assert client.requests_made == 3
    with pytest.raises(errors.TransportError) as caught:
        client.credit()
    assert caught.value.maybe_sent is False


def test_credit_and_report(client, gateway):
    before = client.credit()
    client.send(["9812345678", "9841112222"], "न" * 71)  # 2 parts each
    after = client.credit()
    assert before.available - after.available == 4
    assert after.total_sent - before.total_sent == 4
    page = client.report(1)
    assert [e.number for e in page.entries] == ["9841112222", "9812345678"]  # newest first
    assert page.entries[0].network == "ntc" and page.entries[0].credits == 2
    gateway.set_status(int(page.entries[0].message_id), "delivered")
    assert client.report(1).entries[0].status == "delivered"


def test_report_pages(client, gateway):
    client.send(["98%08d" % i for i in range(45)], "x")
    first, third = client.report(1), client.report(3)
    assert first.total_pages == 3
    assert len(first.entries) == 20 and len(third.entries) == 5


def test_no_token():
    with pytest.raises(errors.AuthenticationError):
        AakashClient("", base_url="http://127.0.0.1:1/sms")
