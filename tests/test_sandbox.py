import requests

TOKEN = "tok-3f9a1c77e2"  # the sandbox token of conftest.py


def test_get_send_works(gateway):
    reply = requests.get(gateway.base_url + "/v3/send",
                         params={"auth_token": TOKEN, "to": "9812345678,988585584", "text": "v3 sms test"}).json()
    assert reply["error"] is False
    assert reply["data"]["valid"][0]["mobile"] == "9779812345678"
    assert reply["data"]["invalid"][0]["status"] == "aborted"


def test_missing_field(gateway):
    reply = requests.post(gateway.base_url + "/v3/send", data={"auth_token": TOKEN, "text": "x"}).json()
    assert reply == {"error": True, "message": "The to field is required.", "data": []}


def test_records_every_request(gateway):
    requests.post(gateway.base_url + "/v1/credit", data={"auth_token": "nope"})
    requests.post(gateway.base_url + "/v1/credit", data={"auth_token": TOKEN})
    assert [(r.path, r.form["auth_token"]) for r in gateway.requests] == [
        ("/sms/v1/credit", "nope"), ("/sms/v1/credit", TOKEN)]
