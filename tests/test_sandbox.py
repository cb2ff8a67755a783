import threading
import time
from unittest import mock

import pytest
import requests
from aakash_sms_sandbox.gateway import _Handler
from aakash_sms_sandbox.rules import mobile, parts

from aakash_sms_sandbox import REPORT_PAGE_SIZE, SandboxGateway

TOKEN = "tok-3f9a1c77e2"  # the sandbox token of conftest.py


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("9812345678", ("9812345678", "ncell")),
        ("9001234567", ("9001234567", "ncell")),
        ("9841112222", ("9841112222", "ntc")),
        ("9741112222", ("9741112222", "ntc")),
        ("9881112222", ("9881112222", "smart")),
        ("9721112222", ("9721112222", "utl")),
        ("9631112222", ("9631112222", "other")),
        ("+977-981-2345678", ("9812345678", "ncell")),
        ("00977 (981) 234.5678", ("9812345678", "ncell")),
        ("9779812345678", ("9812345678", "ncell")),
        ("988585584", None),  # nine digits (Aakash's documented invalid example)
        ("98123456789", None),
        ("9871234567", None),  # not a mobile range
        ("+919812345678", None),
        ("98123x5678", None),
        ("९८१२३४५६७८", None),  # Devanagari digits are not sent as such
        ("", None),
    ],
)
def test_numbers_the_gateway_accepts(typed, expected):
    assert mobile(typed) == expected


@pytest.mark.parametrize(
    "text, credits",
    [
        ("", 0),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),  # escape-table characters take two septets
        ("{" * 81, 2),
        ("न" * 70, 1),
        ("न" * 71, 2),
        ("a" * 159 + "न", 3),  # one Devanagari letter makes the whole text UCS-2
        ("😀" * 35, 1),  # two UTF-16 units each
        ("😀" * 36, 2),
    ],
)
def test_credits_per_recipient(text, credits):
    assert parts(text) == credits


def test_send_charges_parts_per_valid_recipient(gateway):
    reply = requests.post(
        gateway.base_url + "/v3/send",
        data={"auth_token": TOKEN, "to": "9841112222,9721112222,123", "text": "न" * 71},
    ).json()
    assert [(e["network"], e["credit"]) for e in reply["data"]["valid"]] == [
        ("ntc", 2),
        ("utl", 2),
    ]
    assert gateway.credits[TOKEN] == 1000 - 4


def test_get_send_works(gateway):
    reply = requests.get(
        gateway.base_url + "/v3/send",
        params={
            "auth_token": TOKEN,
            "to": "9812345678,988585584",
            "text": "v3 sms test",
        },
    ).json()
    assert reply["error"] is False
    assert reply["data"]["valid"][0]["mobile"] == "9779812345678"
    assert reply["data"]["invalid"][0]["status"] == "aborted"


def test_missing_field(gateway):
    reply = requests.post(
        gateway.base_url + "/v3/send", data={"auth_token": TOKEN, "text": "x"}
    ).json()
    assert reply == {"error": True, "message": "The to field is required.", "data": []}


def test_records_every_request(gateway):
    requests.post(gateway.base_url + "/v1/credit", data={"auth_token": "nope"})
    requests.post(gateway.base_url + "/v1/credit", data={"auth_token": TOKEN})
    assert [(r.path, r.form["auth_token"]) for r in gateway.requests] == [
        ("/sms/v1/credit", "nope"),
        ("/sms/v1/credit", TOKEN),
    ]


def test_429_accepts_nothing(gateway):
    gateway.inject("429")
    reply = requests.post(
        gateway.base_url + "/v3/send",
        data={"auth_token": TOKEN, "to": "9812345678", "text": "x"},
    )
    assert reply.status_code == 429
    assert gateway.messages == [] and gateway.credits[TOKEN] == 1000
    assert len(gateway.requests) == 1


def test_oddjson_really_sends(gateway):
    gateway.inject("oddjson")
    reply = requests.post(
        gateway.base_url + "/v3/send",
        data={"auth_token": TOKEN, "to": "9812345678,9841112222,123", "text": "x"},
    ).json()
    first_id = gateway.messages[0]["id"]
    assert reply["data"] == {
        "valid": [
            {
                "id": str(first_id),
                "mobile": "9779812345678",
                "text": "x",
                "credit": "1.5",
                "network": "ncell",
                "status": "queued",
            },
            "9779841112222",
        ],
        "invalid": [
            {
                "mobile": "123",
                "text": "x",
                "credit": "0",
                "network": "N/A",
                "status": "aborted",
            }
        ],
    }
    assert len(gateway.messages) == 2 and gateway.credits[TOKEN] == 998


def test_oddjson_leaves_errors_alone(gateway):
    gateway.inject("oddjson")
    reply = requests.post(
        gateway.base_url + "/v3/send",
        data={"auth_token": "nope", "to": "9812345678", "text": "x"},
    )
    assert reply.json()["error"] is True


def test_canned_reply(gateway):
    gateway.inject("canned", status=418, body={"hello": 1}, process=True)
    gateway.inject("canned", status=200, body="plain")
    reply = requests.post(
        gateway.base_url + "/v3/send",
        data={"auth_token": TOKEN, "to": "9812345678", "text": "x"},
    )
    assert (reply.status_code, reply.json()) == (418, {"hello": 1})
    assert len(gateway.messages) == 1
    reply = requests.post(
        gateway.base_url + "/v3/send",
        data={"auth_token": TOKEN, "to": "9812345678", "text": "x"},
    )
    assert reply.text == "plain" and len(gateway.messages) == 1


def test_unknown_fault(gateway):
    with pytest.raises(ValueError, match="unknown fault"):
        gateway.inject("explode")


def settle(gateway):
    """Wait for the handlers to answer: a request counts as in flight until its
    answer is written, which is just before its client gets it."""
    deadline = time.monotonic() + 5
    while gateway.in_flight and time.monotonic() < deadline:
        time.sleep(0.01)


def test_peak_concurrency_and_clear():
    with SandboxGateway(tokens={TOKEN: 10}, latency_ms=1500) as gateway:
        threads = [
            threading.Thread(
                target=requests.post,
                args=(gateway.base_url + "/v1/credit",),
                kwargs={"data": {"auth_token": TOKEN}},
            )
            for _ in range(3)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        settle(gateway)
        assert gateway.peak_concurrency == 3 and gateway.in_flight == 0
        requests.post(gateway.base_url + "/v1/credit", data={"auth_token": TOKEN})
        assert gateway.peak_concurrency == 3
        settle(gateway)
        gateway.clear()
        assert gateway.peak_concurrency == 0 and gateway.requests == []
        requests.post(gateway.base_url + "/v1/credit", data={"auth_token": TOKEN})
        assert gateway.peak_concurrency == 1


def test_a_request_sent_once_the_last_answer_came_is_not_counted_with_it():
    """A request is in flight from its arrival until its answer is written: a client
    that sends the next one as soon as an answer arrives (a freed slot taken at once,
    by another connection) never has two in flight.  The sandbox counted a request
    until its handler's end, after the answer: with TCP_NODELAY the answer reached the
    client first, and two Odoo servers showed 5 requests at once for a limit of 4."""
    reply = _Handler._reply

    def reply_then_linger(handler, *args):
        reply(handler, *args)
        time.sleep(0.2)  # the handler's thread not scheduled again at once

    with (
        SandboxGateway(tokens={TOKEN: 10}) as gateway,
        mock.patch.object(_Handler, "_reply", reply_then_linger),
    ):
        for _ in range(3):
            # a connection of its own each time: another handler thread
            requests.post(
                gateway.base_url + "/v1/credit",
                data={"auth_token": TOKEN},
                headers={"Connection": "close"},
            )
        settle(gateway)
        assert gateway.peak_concurrency == 1


def test_report_pages_newest_first_with_statuses(gateway):
    ids = gateway.preload_report(45, status="delivered", token=TOKEN)
    gateway.set_status([ids[0], ids[44]], "failed")
    pages = [
        requests.post(
            gateway.base_url + "/v1/report/api", data={"auth_token": TOKEN, "page": p}
        ).json()
        for p in (1, 3, 4)
    ]
    assert [p["total_page"] for p in pages] == [3, 3, 3]
    assert [len(p["data"]) for p in pages] == [REPORT_PAGE_SIZE, 5, 0]
    assert (
        pages[0]["data"][0]["id"] == ids[44]
        and pages[0]["data"][0]["status"] == "failed"
    )
    assert (
        pages[1]["data"][-1]["id"] == ids[0]
        and pages[1]["data"][-1]["status"] == "failed"
    )
    assert pages[0]["data"][1]["status"] == "delivered"
    assert gateway.total_sent[TOKEN] == 45
    bad = requests.post(
        gateway.base_url + "/v1/report/api", data={"auth_token": TOKEN, "page": "x"}
    ).json()
    assert bad["error"] is True
