"""The sending engine: the only code that sends rows to Aakash.

pending --lock--> sending --reply--> queued | rejected | failed | uncertain

- Rows are taken with ``FOR NO KEY UPDATE SKIP LOCKED``: two workers never take the
  same row.  What is decided at the moment of sending is decided then: the provider
  still active, the number not opted out.
- A request holds distinct numbers: a second copy of a number waits for a later
  request (another send's), or is a rejected duplicate (the same send's).
- Each request's rows are marked ``sending`` (with the worker's key) and committed
  just before the request leaves; the outcome is committed right after it.
- A worker holds a PostgreSQL advisory lock on its key for as long as it runs: rows
  left ``sending`` under a key nobody holds belong to a dead worker and become
  ``uncertain`` (never sent again), their attempt counted.
- What is refused before a request could leave is never ``uncertain``; the outcome is
  written on the rows that still exist (rows waiting or being sent cannot be deleted).
- Up to ``parallel_requests`` requests per provider are in flight at once, each in a
  thread that only does HTTP; the database work stays in the worker's thread.
"""

import logging
import random
from collections import Counter, defaultdict
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from typing import NamedTuple

import psycopg2.errors

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..const import MAX_ATTEMPTS, OPEN_STATES, OUTCOMES, retry_delay_minutes
from ..tools import client as gateway
from ..tools import errors
from ..tools.numbers import network_label

_logger = logging.getLogger(__name__)

# advisory lock namespace of the engine's workers ("AK")
LOCK_NAMESPACE = 0x414B
MAX_THREADS = 16
# a worker locks at most this many candidate rows per look
MAX_CANDIDATES = 4000
# seconds of time budget left above which freed requests leave before the outcomes are
# written
EARLY_LAUNCH_MARGIN = 60

RESULT_STATES = {
    gateway.QUEUED: "queued",
    gateway.REJECTED: "rejected",
    gateway.FAILED: "failed",
    gateway.UNCERTAIN: "uncertain",
    getattr(gateway, "UNKNOWN", "unknown"): "uncertain",
}


class Flight(NamedTuple):
    """One gateway request: its rows, and what the HTTP thread needs (no ORM)."""

    ids: list
    provider_id: int
    client: object
    numbers: list
    text: str
    attempts: list = None  # attempt_count of each row before this request


class Candidate(NamedTuple):
    """A due pending row locked by a look, with what deciding its request needs."""

    id: int
    provider_id: int
    company_id: int
    body: str
    number: str
    send_ref: str
    attempt_count: int


def _request(client, numbers, text):
    """Run one request in an HTTP thread: the client's results, or what it raised."""
    try:
        return client.send(numbers, text)
    except Exception as exc:  # noqa: BLE001 - recorded per row by the worker  # pylint: disable=broad-except
        return exc


class AakashSmsMessage(models.Model):
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "aakash.sms.message"

    sending_key = fields.Integer(
        readonly=True, copy=False, help="The worker sending this row."
    )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.ondelete(at_uninstall=False)
    def _unlink_except_waiting_or_sending(self):
        """A row the engine still owns keeps its place: its outcome is written on it
        (and a request's other rows are written with it)."""
        waiting = self.filtered(lambda message: message.state in OPEN_STATES)
        if waiting:
            raise UserError(
                self.env._(
                    "An SMS waiting to be sent or being sent cannot be deleted "
                    "(%(number)s): wait for its outcome, then delete it.",
                    number=waiting[0].number or waiting[0].number_raw or "-",
                )
            )

    # ------------------------------------------------------------------
    # Entry points
    # ------------------------------------------------------------------
    def _aakash_send_now(self):
        """Send the pending rows of ``self`` now, inside the current transaction.

        Only for the wizard's explicit send that needs a single gateway request: the
        outcome is recorded in the same transaction.  Everything else is queued.
        """
        key = random.randrange(1, 2**31)
        # held until the transaction ends; nobody else sees these rows before then
        self.env.cr.execute(
            "SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, key]
        )
        # the engine writes rows and reads the provider's token: never the user
        rows_sudo = self.sudo()
        return rows_sudo._aakash_engine(key, commit=False)

    @api.model
    def _cron_send(self):
        """Queue worker: send every due pending row, committing around each request."""
        # a cron: every company's rows and tokens
        engine_sudo = self.sudo().with_context(aakash_sms_queue=True)
        cr = self.env.cr
        key = random.randrange(1, 2**31)
        cr.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_NAMESPACE, key])
        try:
            engine_sudo._mark_interrupted(key)
            engine_sudo.browse()._aakash_engine(key, commit=True)
        finally:
            engine_sudo._release_worker_lock(key)
        engine_sudo._schedule_next_run()

    @api.model
    def _release_worker_lock(self, key):
        """Release the worker's advisory lock, quietly when the connection is gone.

        The lock is held by the database session: a lost connection (PostgreSQL
        restarted, the backend terminated) took it along, and the error that ended the
        run is the one to see, not a second one raised here.
        """
        cr = self.env.cr
        unlock = SQL("SELECT pg_advisory_unlock(%s, %s)", LOCK_NAMESPACE, key)
        try:
            cr.execute(unlock, log_exceptions=False)
        except psycopg2.Error:
            if cr.closed:
                _logger.warning(
                    "Aakash SMS: the database connection is gone, and the queue "
                    "worker's advisory lock with it (nothing to release)."
                )
                return
            # the transaction failed: the lock outlives it
            cr.rollback()
            cr.execute(unlock)

    def _schedule_next_run(self):
        """Wake the queue when its next row is due (rows waiting for a retry)."""
        Cron = self.env.ref("aakash_sms.ir_cron_aakash_sms_send")
        [[next_date]] = self._read_group(
            [("state", "=", "pending"), ("next_attempt_date", "!=", False)],
            aggregates=["next_attempt_date:min"],
        )
        if self.search_count(
            [("state", "=", "pending"), ("next_attempt_date", "=", False)], limit=1
        ):
            Cron._trigger()
        elif next_date:
            Cron._trigger(at=next_date)

    # ------------------------------------------------------------------
    # The loop
    # ------------------------------------------------------------------
    def _aakash_engine(self, key, commit):
        """Send pending rows (those of ``self``, or all due ones if ``self`` is empty).

        :param commit: commit before each request leaves and after each outcome
            (the queue); without it everything happens in the caller's transaction
        :return: the rows that got an outcome
        """
        Cron = self.env["ir.cron"]
        scope = self.ids or None

        def checkpoint(processed=0):
            return Cron._commit_progress(processed) if commit else float("inf")

        time_left = checkpoint()
        look = {}  # what the last look found: how many rows share a text
        in_flight = {}
        busy = Counter()
        done = []  # ids of the rows that got an outcome
        clients = {}
        exhausted = False
        with ThreadPoolExecutor(
            max_workers=MAX_THREADS, thread_name_prefix="aakash-sms"
        ) as pool:

            def launch():
                """Take the next requests and send them; whether any row was taken."""
                nonlocal exhausted
                found, flights, refused = self._take_flights(
                    scope, key, busy, clients, look
                )
                exhausted = not found
                if refused:
                    refused._aakash_after_outcome()
                    done.extend(refused.ids)
                if flights or refused:
                    # the rows are 'sending' for everyone before the requests leave
                    checkpoint()
                for flight in flights:
                    in_flight[
                        pool.submit(
                            _request, flight.client, flight.numbers, flight.text
                        )
                    ] = flight
                    busy[flight.provider_id] += 1
                return bool(flights or refused)

            progress = launched = False
            while True:
                if not exhausted and time_left > 0 and not launched:
                    progress = launch()
                launched = False
                if not in_flight:
                    if exhausted or time_left <= 0 or not progress:
                        break
                    continue
                finished, _pending = wait(list(in_flight), return_when=FIRST_COMPLETED)
                outcomes = []
                for future in finished:
                    flight = in_flight.pop(future)
                    busy[flight.provider_id] -= 1
                    outcomes.append((flight, future.result()))
                if not exhausted and time_left > EARLY_LAUNCH_MARGIN:
                    # well within the time budget: the freed requests leave first, their
                    # wait overlaps writing these outcomes and notes (only HTTP waits
                    # meanwhile)
                    progress = launch()
                    launched = True
                recorded = self.browse()
                for flight, outcome in outcomes:
                    rows = self.browse(flight.ids)
                    # the rows still there (one may have been removed meanwhile)
                    recorded |= rows._record_outcome(flight, outcome, retry=commit)
                recorded._aakash_after_outcome()
                done.extend(recorded.ids)
                # outcomes, notes and Odoo's SMS committed together
                time_left = checkpoint(len(recorded))
        # final rows may be deleted once their outcome is committed
        done = self.browse(list(dict.fromkeys(done))).exists()
        done._notify_completed_sends()
        return done

    def _take_flights(self, scope, key, busy, clients, look=None):
        """Lock due pending rows and make the next requests of them, marked ``sending``.

        ``look`` (a dict kept between calls) remembers how many rows shared a text at
        the last look: when every row has its own text (personalised), a look locks
        only as many rows as there are free requests, not a batch per request.

        :return: ``(found, flights, refused)``: whether any due row was found, the
            requests to make, and rows given their outcome without a request (no
            active provider, no token, provider of another company, opted out,
            a copy in the same send)
        """
        self.flush_model()
        providers = self.env["aakash.sms.provider"].search([("active", "=", True)])
        slots = {p.id: max(1, p.parallel_requests) - busy[p.id] for p in providers}
        free = sum(max(0, n) for n in slots.values())
        if providers and not free:
            # every provider is busy: wait for a request to end
            return True, [], self.browse()
        # with no active provider at all, the rows are still taken: to be refused
        look = {} if look is None else look
        per_request = max([p.batch_size for p in providers] or [100])
        if look.get("rows_per_text"):
            per_request = max(1, min(per_request, look["rows_per_text"]))
        limit = min(MAX_CANDIDATES, max(1, free) * per_request)
        candidates = self._lock_candidates(scope, limit)
        groups, refused = self._group_candidates(candidates, providers)
        if groups:
            rows_per_text = -(
                -sum(len(rows) for rows in groups.values()) // len(groups)
            )
            if len(candidates) >= limit:
                # a full look may have cut the texts short: look further next time
                rows_per_text *= 2
            look["rows_per_text"] = rows_per_text
        else:
            look.pop("rows_per_text", None)
        flights = []
        for (provider_id, _body), rows in groups.items():
            if provider_id not in clients:
                clients[provider_id] = providers.browse(provider_id)._aakash_client()
            client, reason = clients[provider_id]
            if reason:
                refused["no_provider", reason].extend(row.id for row in rows)
                continue
            # the client was made at the run's first request: the batch size may have
            # changed since, either way a request holds what both accept
            size = max(
                1, min(providers.browse(provider_id).batch_size, client.batch_size)
            )
            flights += self._requests_of(rows, size, slots, client, refused)
        flights = self._mark_sending(flights, key)
        refused_rows = self._write_refusals(refused)
        return bool(candidates), flights, refused_rows

    def _requests_of(self, rows, size, slots, client, refused):
        """The requests of the candidates ``rows`` of one provider and text, as many
        as its free ``slots`` allow.

        A request never holds one number twice: a later copy of a number already taken
        by this look waits for a later request (it stays pending), or, when both rows
        are of the same send, is refused as a duplicate (added to ``refused``).
        """
        duplicate = ("duplicate", self._aakash_refusal_reason("duplicate"))
        flights, chunk, taken = [], [], {}
        for row in rows:
            number = row.number or ""
            if number in taken:
                if row.send_ref and taken[number] == row.send_ref:
                    refused[duplicate].append(row.id)
                continue
            if not chunk:
                if slots[row.provider_id] <= 0:
                    break
                slots[row.provider_id] -= 1
            taken[number] = row.send_ref
            chunk.append(row)
            if len(chunk) == size:
                flights.append(self._flight(chunk, client))
                chunk = []
        if chunk:
            flights.append(self._flight(chunk, client))
        return flights

    @staticmethod
    def _flight(rows, client):
        return Flight(
            [row.id for row in rows],
            rows[0].provider_id,
            client,
            [row.number for row in rows],
            rows[0].body,
            [row.attempt_count for row in rows],
        )

    def _lock_candidates(self, scope, limit):
        """Lock up to ``limit`` due pending rows (of ``scope`` if given), skipping rows
        locked by another worker: a list of :class:`Candidate`."""
        query = SQL(
            """
            SELECT id, provider_id, company_id, body, number, send_ref,
                   COALESCE(attempt_count, 0)
              FROM aakash_sms_message
             WHERE state = 'pending'
               AND (next_attempt_date IS NULL OR next_attempt_date <= %s)
               %s
             ORDER BY id
             LIMIT %s
               FOR NO KEY UPDATE SKIP LOCKED
            """,
            fields.Datetime.now(),
            SQL("AND id IN %s", tuple(scope)) if scope is not None else SQL(),
            limit,
        )
        try:
            with self.env.cr.savepoint(flush=False):
                # a row another worker changed after our snapshot: theirs, skip it
                self.env.cr.execute(query, log_exceptions=False)
                return [Candidate(*row) for row in self.env.cr.fetchall()]
        except psycopg2.errors.SerializationFailure:
            return []

    def _group_candidates(self, candidates, providers):
        """``(groups, refused)``: the candidates that may be sent by ``(provider id,
        text)``, and the ids of those no request may carry by ``(error kind,
        reason)``.

        Decided now, whatever was decided when the row was written: the row's provider
        is still active and of its company (never another provider instead), its
        number is not on the blacklist.
        """
        groups = defaultdict(list)
        refused = defaultdict(list)
        by_id = providers.grouped("id")
        archived = self.env["aakash.sms.provider"].with_context(active_test=False)
        opted_out = self._aakash_opted_out(
            {row.number for row in candidates if row.number}
        )
        for row in candidates:
            provider = by_id.get(row.provider_id, providers.browse())[:1]
            if not row.provider_id:
                reason = self.env._("No active Aakash SMS provider is set on this SMS.")
                refused["no_provider", reason].append(row.id)
            elif not provider:
                reason = self.env._(
                    "The Aakash SMS provider %s was archived before this SMS left: "
                    "nothing was sent.",
                    archived.browse(row.provider_id).name,
                )
                refused["no_provider", reason].append(row.id)
            elif provider.company_id.id != row.company_id:
                reason = self.env._(
                    "Refused: the provider belongs to another company than the SMS."
                )
                refused["no_provider", reason].append(row.id)
            elif row.number in opted_out:
                reason = self._aakash_refusal_reason("opted_out")
                refused["opted_out", reason].append(row.id)
            else:
                groups[row.provider_id, row.body].append(row)
        return groups, refused

    def _mark_sending(self, flights, key):
        """Mark the rows of ``flights`` ``sending`` under ``key``.

        :return: ``flights``
        """
        rows = self.browse([i for flight in flights for i in flight.ids])
        if rows:
            rows.write({"state": "sending", "sending_key": key})
        return flights

    def _write_refusals(self, refused):
        """Give the rows of ``refused`` (ids by ``(error kind, reason)``) their final
        outcome, without a request: the rows."""
        now = fields.Datetime.now()
        refused_rows = self.browse()
        for (kind, reason), ids in refused.items():
            batch = self.browse(ids)
            batch.write(
                {
                    "state": OUTCOMES[kind][0],
                    "error_kind": kind,
                    "reason": reason,
                    "gateway_status": "not sent",
                    "sent_date": now,
                }
            )
            refused_rows |= batch
        return refused_rows

    def _record_outcome(self, flight, outcome, retry):
        """Write what one request gave for its rows ``self`` (``flight.ids`` order).

        :return: the rows written: those that still exist
        """
        now = fields.Datetime.now()
        # the cache was emptied by the commit since the request left: the counts taken
        # with it
        attempts_before = flight.attempts or self.mapped("attempt_count")
        if isinstance(outcome, errors.AakashError) and not outcome.maybe_sent:
            # raised before the request could leave: provably not sent
            values = self._not_sent_values(outcome, attempts_before, now, retry)
        elif (
            isinstance(outcome, BaseException)
            or not isinstance(outcome, list)
            or len(outcome) != len(self)
        ):
            # anything unexpected once the request may have left: uncertain, never
            # resent on its own
            _logger.warning(
                "Aakash SMS: unexpected result for rows %s: %r",
                self.ids,
                type(outcome).__name__,
            )
            reason = self.env._(
                "May have been sent: the gateway's answer could not be read "
                "(%s). Check the Aakash report before sending it again.",
                type(outcome).__name__,
            )
            values = [
                (
                    message_id,
                    "uncertain",
                    "maybe_sent",
                    None,
                    None,
                    None,
                    0,
                    reason,
                    attempts + 1,
                    None,
                )
                for message_id, attempts in zip(self.ids, attempts_before, strict=True)
            ]
        else:
            values = self._result_values(outcome, attempts_before, now, retry)
        return self._write_outcomes(values, now)

    def _not_sent_values(self, error, attempts_before, now, retry):
        """The outcome values of the rows ``self`` of a request stopped before it
        could leave by ``error``: failed, or pending for another attempt."""
        kind = error.kind if error.kind in OUTCOMES else "validation"
        reason = error.message
        if isinstance(error, errors.NotSentError):
            reason = self.env._(
                "Nothing was sent: the request was stopped before it left (%s).",
                error.message,
            )
        values = []
        for message_id, attempts in zip(self.ids, attempts_before, strict=True):
            attempts += 1
            state, next_attempt = "failed", None
            if retry and OUTCOMES[kind][1] and attempts < MAX_ATTEMPTS:
                # provably never reached Aakash: the queue tries again later
                state = "pending"
                next_attempt = fields.Datetime.add(
                    now, minutes=retry_delay_minutes(attempts)
                )
            values.append(
                (
                    message_id,
                    state,
                    kind,
                    None,
                    "not sent",
                    None,
                    0,
                    reason,
                    attempts,
                    next_attempt,
                )
            )
        return values

    def _result_values(self, outcome, attempts_before, now, retry):
        """The outcome values of the rows ``self`` from the client's results."""
        values = []
        for message, result, attempts in zip(
            self, outcome, attempts_before, strict=False
        ):
            state = RESULT_STATES.get(result.state, "uncertain")
            kind = False
            if state == "failed":
                kind = (
                    result.error_kind if result.error_kind in OUTCOMES else "transport"
                )
            elif state == "rejected":
                kind = "refused"
            elif state == "uncertain":
                kind = "maybe_sent"
            attempts += 1
            reason = result.reason or None
            if state == "uncertain":
                reason = self.env._(
                    "May have been sent: %(reason)s Check the Aakash report before "
                    "sending it again.",
                    reason=result.reason or "",
                )
            next_attempt = None
            if (
                state == "failed"
                and retry
                and OUTCOMES[kind][1]
                and attempts < MAX_ATTEMPTS
            ):
                # provably never reached Aakash: the queue tries again later
                state, next_attempt = (
                    "pending",
                    fields.Datetime.add(now, minutes=retry_delay_minutes(attempts)),
                )
            values.append(
                (
                    message.id,
                    state,
                    kind or None,
                    result.message_id or None,
                    result.gateway_status or None,
                    network_label(result.network) or None,
                    result.credits or 0,
                    reason,
                    attempts,
                    next_attempt,
                )
            )
        return values

    def _write_outcomes(self, values, now):
        """Write the outcomes of one request in one UPDATE (not one write per row).

        A row may have been deleted meanwhile (by SQL: the log refuses it): the others
        are written all the same.

        :param values: ``(id, state, error_kind, gateway_id, gateway_status, network,
            credits, reason, attempt_count, next_attempt_date or None to keep it)`` per
            row
        :return: the rows written (locked until the transaction ends)
        """
        fnames = [
            "state",
            "error_kind",
            "gateway_id",
            "gateway_status",
            "network",
            "credits",
            "reason",
            "attempt_count",
            "next_attempt_date",
            "sent_date",
            "write_uid",
            "write_date",
        ]
        self.flush_recordset(fnames)
        if not values:
            return self.browse()
        rows = SQL(", ").join(
            SQL(
                "(%s::int, %s::varchar, %s::varchar, %s::varchar, %s::varchar,"
                " %s::varchar, %s::float8, %s::varchar, %s::int, %s::timestamp)",
                *row,
            )
            for row in values
        )
        self.env.cr.execute(
            SQL(
                """
                UPDATE aakash_sms_message AS m
                   SET state = v.state, error_kind = v.error_kind,
                       gateway_id = v.gateway_id, gateway_status = v.gateway_status,
                       network = v.network, credits = v.credits, reason = v.reason,
                       attempt_count = v.attempt_count,
                       next_attempt_date = COALESCE(
                           v.next_attempt_date, m.next_attempt_date
                       ),
                       sent_date = %s, write_uid = %s, write_date = %s
                  FROM (VALUES %s) AS v(
                       id, state, error_kind, gateway_id, gateway_status, network,
                       credits, reason, attempt_count, next_attempt_date
                       )
                 WHERE m.id = v.id
             RETURNING m.id
                """,
                now,
                self.env.uid,
                now,
                rows,
            )
        )
        written = {row_id for [row_id] in self.env.cr.fetchall()}
        self.invalidate_recordset(fnames)
        written_rows = self.filtered(lambda message: message.id in written)
        written_rows.modified(fnames)
        return written_rows

    def _aakash_after_outcome(self):
        """What follows an outcome: the chatter note; Odoo's SMS for bridged rows."""
        final = self.filtered(lambda m: m.state not in ("pending", "sending"))
        final._post_results()
        final.filtered("sms_uuid")._aakash_update_native_sms()

    @api.model
    def _mark_interrupted(self, own_key=None):
        """Rows left ``sending`` by a worker that is gone become uncertain (never sent
        again), their attempt counted: their request may have left when they were
        marked ``sending``."""
        self.flush_model()
        cr = self.env.cr
        cr.execute(
            "SELECT DISTINCT sending_key FROM aakash_sms_message WHERE state = "
            "'sending'"
        )
        dead = []
        for (key,) in cr.fetchall():
            if key == own_key:
                continue
            if not key:
                dead.append(key)
                continue
            cr.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, key])
            if cr.fetchone()[0]:
                cr.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, key])
                dead.append(key)
        if not dead:
            return self.browse()
        domain = [("state", "=", "sending")]
        keys = [key for key in dead if key]
        if None in dead or 0 in dead:
            domain += ["|", ("sending_key", "in", keys), ("sending_key", "=", False)]
        else:
            domain.append(("sending_key", "in", keys))
        stale = self.search(domain).try_lock_for_update(allow_referencing=True)
        reason = self.env._(
            "May have been sent: the sending was interrupted after the request "
            "left. Check the Aakash report before sending it again."
        )
        # marked 'sending' (their last write) just before the request could leave
        for (attempts, marked), rows in stale.grouped(
            lambda message: (message.attempt_count, message.write_date)
        ).items():
            rows.write(
                {
                    "state": "uncertain",
                    "error_kind": "maybe_sent",
                    "reason": reason,
                    "attempt_count": attempts + 1,
                    "sent_date": marked or fields.Datetime.now(),
                }
            )
        stale._aakash_after_outcome()
        return stale

    def _notify_completed_sends(self):
        """Tell each user whose send has no open row left, once (queued sends only)."""
        if not self.env.context.get("aakash_sms_queue"):
            return
        refs = {
            message.send_ref
            for chunk in self._aakash_read_chunks()
            for message in chunk
            if message.notify_sender
        } - {False}
        if not refs:
            return
        open_refs = {
            ref
            for [ref] in self._read_group(
                [
                    ("send_ref", "in", list(refs)),
                    ("state", "in", ("pending", "sending")),
                ],
                ["send_ref"],
            )
        }
        for ref in refs - open_refs:
            messages = self.search([("send_ref", "=", ref)])
            action = messages._action_notify_outcome()["params"]
            messages[:1].user_id._bus_send(
                "simple_notification",
                {
                    "title": self.env._("SMS send finished"),
                    "message": "{}\n{}".format(
                        self.env._("1 recipient:")
                        if len(messages) == 1
                        else self.env._("%(count)s recipients:", count=len(messages)),
                        action["message"],
                    ),
                    "sticky": True,
                    "type": action["type"],
                },
            )
