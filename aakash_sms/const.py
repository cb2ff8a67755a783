"""The outcome table: what each way an SMS can end means, for the log and Odoo's SMS.

One table read by the engine (row state, automatic retry), by the native bridge
(Odoo's SMS state and failure type) and checked against the README by a test.

Keys are the ``error_kind`` stored on a log row: the gateway client's error kinds
(``transport``, ``throttled``, ``auth``, ``ip``, ``balance``, ``validation``) and the
refusals decided before sending.
"""

# error kind -> (log row state, retried automatically by the queue, Odoo provider state)
# The Odoo provider state is what ``sms.sms._send_with_api`` understands: "success",
# or a key of ``SmsApiAakash.PROVIDER_TO_SMS_FAILURE_TYPE``.
OUTCOMES = {
    # refused before sending: final
    "no_number": ("rejected", False, "sms_number_missing"),
    "number": ("rejected", False, "wrong_number_format"),
    "opted_out": ("rejected", False, "blacklisted"),
    "duplicate": ("rejected", False, "duplicate_message"),
    "text": ("rejected", False, "server_error"),
    "document": ("rejected", False, "server_error"),
    # refused by Aakash for this number: final
    "refused": ("rejected", False, "wrong_number_format"),
    # provably not accepted: a person must act (token, IP, balance, provider)
    "no_provider": ("failed", False, "unregistered"),
    "auth": ("failed", False, "unregistered"),
    "ip": ("failed", False, "unregistered"),
    "balance": ("failed", False, "insufficient_credit"),
    "validation": ("failed", False, "server_error"),
    # the company's monthly credit budget is spent (decided when the queue takes it)
    "budget": ("failed", False, "insufficient_credit"),
    # provably not accepted, may pass later: retried by the queue with growing delays
    "transport": ("failed", True, "server_error"),
    "throttled": ("failed", True, "server_error"),
    # stopped before the request could leave (a request the client refuses, an error
    # of ours before sending): nothing was sent, retried like the above
    "not_sent": ("failed", True, "server_error"),
    # may have reached Aakash: never resent on its own
    "maybe_sent": ("uncertain", False, "server_error"),
}

# the state of a recipient in the gateway client's results (tools/client.py: QUEUED,
# REJECTED, FAILED, UNCERTAIN) -> log row state; any other is uncertain
RESULT_STATES = {
    "queued": "queued",
    "rejected": "rejected",
    "failed": "failed",
    "uncertain": "uncertain",
}

# a row state that needs no error kind -> Odoo provider state
SUCCESS_STATES = {
    "queued": "success",
    "delivered": "delivered",
    "undelivered": "server_error",
}

# Failures that provably sent nothing and need a person (token refused, IP not allowed,
# no balance): the rows are sent through the company's fallback provider, if any.
FALLBACK_KINDS = ("auth", "ip", "balance")

# Rows the engine still owns (they cannot be deleted).
OPEN_STATES = ("pending", "sending")
# Rows a person may resend (provably never reached a phone).
RESENDABLE_STATES = ("rejected", "failed")

# queue: a transport failure is retried after 2, 4, 8 and 16 minutes (5 attempts in all)
MAX_ATTEMPTS = 5


def retry_delay_minutes(attempts_done):
    """Minutes to wait before attempt number ``attempts_done + 1``."""
    return 2**attempts_done


# Preparing a send: a send of more records than this is prepared (and its rows read
# back) by chunks of this many, each chunk's cache dropped once written (memory stays
# flat for a send of 100,000).
CHUNK_SIZE = 2000

# The sending queue (models/sending_queue.py)
# PostgreSQL advisory lock namespace of the queue's workers ("AK"): a worker holds
# (LOCK_NAMESPACE, its key) for as long as it runs.
LOCK_NAMESPACE = 0x414B
# advisory lock namespace of the providers' request slots ("AS"): a request in flight
# holds one of its provider's (models/provider_slots.py), whichever server sends it
SLOT_NAMESPACE = 0x4153
# HTTP threads of one worker at most (the requests of all providers together)
MAX_THREADS = 16
# a worker locks at most this many due rows per batch of candidates
MAX_CANDIDATES = 4000
# chatter notes written by the queue per transaction: while requests are at the
# gateway (a chunk delays the next request by its time, about 1 ms a note), and once
# nothing is left to send
NOTE_CHUNK_WAITING = 10
NOTE_CHUNK = 400
# documents of a large send the queue prepares per transaction while its requests are
# at the gateway, and in its first chunk (prepared before anything can be sent)
PREPARE_CHUNK_WAITING = 500
# seconds of time budget left above which the requests freed by an outcome leave
# before that outcome is written (their wait overlaps the writing)
EARLY_LAUNCH_MARGIN = 60

# Delivery reports (Aakash's report of sent messages, models/report_sync.py)
# report status (lower case) -> the row is delivered / not delivered; any other status
# leaves it accepted
REPORT_DELIVERED = ("delivered", "success", "sent")
REPORT_UNDELIVERED = ("failed", "undelivered", "rejected", "expired", "aborted")
# how long a row accepted by Aakash waits for its report (days)
REPORT_DAYS = 3
# report pages read per provider and run; the next run goes on where this one stopped
PAGES_PER_RUN = 200
# report status (lower case) of an undelivered row -> provider error understood by
# sms.tracker._action_update_from_provider_error (failure type 'sms_<error>'); any
# other status is 'not_delivered'
REPORT_STATUS_TO_PROVIDER_ERROR = {
    "expired": "expired",
    "rejected": "rejected",
}


# ---------------------------------------------------------------------------------
# The provider and the composer (aakash_sms_provider.py, wizard/aakash_sms_composer.py)
# ---------------------------------------------------------------------------------

# The gateway a new provider sends to: the gateway client's own default
# (tools/client.py, which imports no Odoo and keeps its wire constants).
from .tools.client import DEFAULT_BASE_URL as DEFAULT_BASE_URL  # noqa: E402

# URL schemes a provider's gateway URL may start with (http:// for a test gateway,
# such as the sandbox); the client appends the API paths (/v3/send...) to the URL.
BASE_URL_SCHEMES = ("https://", "http://")

# Provider fields deciding where the auth token is sent: only system administrators
# set them.
TOKEN_DESTINATION_FIELDS = ("base_url",)

# The composer's preview lists at most this many recipients (those that will not be
# texted first); the counts above it cover every selected record.
PREVIEW_LIMIT = 200
# A selection over a whole list (a domain) is previewed on its first records only; the
# queue prepares them all after Send.
PREVIEW_SAMPLE = 200
# Ticked records are previewed (each checked) up to the web client's own limit on
# the ids it gives (``web.active_ids_limit``'s default); beyond it (only code gives
# more) the first this many, the credits counted for all: the click does not grow.
PREVIEW_MAX_IDS = 20000

# Odoo's own "Send SMS" actions (sms.composer) that the Aakash wizard replaces in the
# Actions menu of a company sending Odoo's SMS through Aakash (one "Send SMS")
ODOO_SEND_SMS_ACTIONS = (
    "sms.res_partner_act_window_sms_composer_multi",
    "sms.res_partner_act_window_sms_composer_single",
)

# the key of a planned row's values (``aakash.sms.message._aakash_check_plans``) for a
# number outside Nepal of a company that routes them: Odoo's own SMS carries it, the
# value is what the preview says
ROUTED = "_aakash_routed"
