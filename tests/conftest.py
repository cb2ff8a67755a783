import socket

import pytest

from aakash_sms.tools.client import AakashClient
from aakash_sms.tools.sandbox import SandboxGateway

TOKEN = "tok-3f9a1c77e2"


@pytest.fixture
def gateway():
    with SandboxGateway(tokens={TOKEN: 1000}) as gw:
        yield gw


@pytest.fixture
def client(gateway):
    return AakashClient(
        TOKEN, base_url=gateway.base_url, timeout=(1, 0.5), backoff=0.01
    )


@pytest.fixture
def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
