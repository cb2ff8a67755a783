"""Errors of the Aakash gateway client (no Odoo import).

Every message is meant for an end user and never contains the auth token.
``maybe_sent`` tells whether the gateway may have received (and queued) the
request: such a request must never be retried automatically.
"""


class AakashError(Exception):
    """Base of every error raised by the client."""

    kind = "error"
    maybe_sent = False

    def __init__(self, message, maybe_sent=None):
        super().__init__(message)
        self.message = message
        if maybe_sent is not None:
            self.maybe_sent = maybe_sent

    def __str__(self):
        return self.message

    def __init_subclass__(cls, kind=None, **kwargs):
        """``class XError(AakashError, kind="x")``: the subclass's ``kind``."""
        if kind:
            cls.kind = kind
        return super().__init_subclass__(**kwargs)


# The token is invalid or inactive.
class AuthenticationError(AakashError, kind="auth"): ...


# The token is valid but not bound to this server's public IP.
class IpNotAllowedError(AuthenticationError, kind="ip"): ...


# Not enough credit on the Aakash account.
class BalanceError(AakashError, kind="balance"): ...


# The request itself is wrong (empty text, missing field, no valid number).
class ValidationError(AakashError, kind="validation"): ...


# The gateway refused the request for now (HTTP 429): nothing was accepted.
class ThrottledError(AakashError, kind="throttled"): ...


# The gateway could not be reached or did not answer in time.
class TransportError(AakashError, kind="transport"): ...


# The gateway answered, but not with a usable reply (5xx, HTML, bad JSON).
class GatewayError(AakashError, kind="gateway"): ...


# ``send`` stopped before any request could leave: a call it refuses (more numbers than
# ``batch_size``, a number given twice) or any error of its own before the request.
# Nothing was sent.  Also a ValueError: what the caller gave is wrong.
class NotSentError(AakashError, ValueError, kind="not_sent"): ...
