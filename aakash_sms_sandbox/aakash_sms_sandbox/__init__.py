"""A fake Aakash SMS gateway on loopback, to develop and test the Aakash SMS addons.

A development package, installed from the repository (test-requirements.txt); no addon
ships it or imports it outside its tests. It imports nothing of the addons either: it
stands for Aakash's server, with rules of its own (:mod:`aakash_sms_sandbox.rules`).

    from aakash_sms_sandbox import SandboxGateway

    with SandboxGateway(tokens={"tok": 100}) as gateway:
        ...  # gateway.base_url, gateway.inject("429"), gateway.requests, ...
"""

from .gateway import FAULTS, REPORT_PAGE_SIZE, SandboxGateway, SandboxRequest, main

__all__ = ["FAULTS", "REPORT_PAGE_SIZE", "SandboxGateway", "SandboxRequest", "main"]
