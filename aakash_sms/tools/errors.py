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


class AuthenticationError(AakashError):
    """The token is invalid or inactive."""

    kind = "auth"


class IpNotAllowedError(AuthenticationError):
    """The token is valid but not bound to this server's public IP."""

    kind = "ip"


class BalanceError(AakashError):
    """Not enough credit on the Aakash account."""

    kind = "balance"


class ValidationError(AakashError):
    """The request itself is wrong (empty text, missing field, no valid number)."""

    kind = "validation"


class ThrottledError(AakashError):
    """The gateway refused the request for now (HTTP 429): nothing was accepted."""

    kind = "throttled"


class TransportError(AakashError):
    """The gateway could not be reached or did not answer in time."""

    kind = "transport"


class GatewayError(AakashError):
    """The gateway answered, but not with a usable reply (5xx, HTML, bad JSON)."""

    kind = "gateway"
