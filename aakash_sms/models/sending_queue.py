"""The sending queue: the only code that sends log rows to Aakash.

pending --lock--> sending --reply--> queued | rejected | failed | uncertain

- Rows are taken with ``FOR NO KEY UPDATE SKIP LOCKED``: two workers never take the
  same row.  What is decided at the moment of sending is decided then: the provider
  still active, the number not opted out.
- A request holds distinct numbers: a second copy of a number waits for a later
  request (another send's), or is a rejected duplicate (the same send's).
- Each request's rows are marked ``sending`` (with the worker's key) and committed
  just before the request leaves; the outcome is committed right after it.
- A worker holds a PostgreSQL advisory lock on its key for as long as it runs
  (``aakash.sms.message._cron_send``): rows left ``sending`` under a key nobody holds
  belong to a dead worker and become ``uncertain`` (never sent again), their attempt
  counted.
- What is refused before a request could leave is never ``uncertain``; the outcome is
  written on the rows that still exist (rows waiting or being sent cannot be deleted).
- Up to ``parallel_requests`` requests per provider are sent at once, each in a thread
  that only does HTTP; the database work stays in the worker's thread.
- The sending first: an outcome is committed with Odoo's SMS it updates, and its rows
  marked ``note_due``; their chatter notes are written when no request can leave
  (every free request at the gateway, by chunks until one ends) and when nothing is
  left to send, still within the run.  Notes whose run ran out of time are written by
  the next run (each row locked, noted and unmarked in one transaction: never twice).
- A large send's next recipients are prepared the same way, while the requests are at
  the gateway (before the notes: they are more requests), within the share of the
  time budget the cron gives to preparing.
"""

import time
from collections import Counter, defaultdict
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from contextlib import contextmanager
from typing import NamedTuple

import psycopg2.errors

from odoo import fields
from odoo.tools import SQL

from ..const import (
    EARLY_LAUNCH_MARGIN,
    MAX_CANDIDATES,
    MAX_THREADS,
    NOTE_CHUNK,
    NOTE_CHUNK_WAITING,
    OUTCOMES,
    PREPARE_CHUNK_WAITING,
)
from .provider_slots import ProviderSlots


@contextmanager
def in_index_order(cr):
    """Within: PostgreSQL reads the next rows of the queue in id order through
    their partial index (the pending rows: ``aakash.sms.message._pending_queue_idx``;
    the rows due a note: ``_note_due_idx``), never all of them sorted.

    Its statistics lag behind a large send (never gathered yet in a new database;
    refreshed by autovacuum only once a tenth of the log changed): believing few rows
    pending, its planner sorts them all at each take of the queue, which grows with
    the send (20 ms a take at 100,000).  Sorting is made the last resort for the
    queries within, the setting is back as it was after them.
    """
    cr.execute("SET LOCAL enable_sort = off")
    try:
        yield
    finally:
        cr.execute("RESET enable_sort")


class Request(NamedTuple):
    """One gateway request: its rows, and what the HTTP thread needs (no ORM)."""

    ids: list
    provider_id: int
    client: object
    numbers: list
    text: str
    attempts: list = None  # attempt_count of each row before this request


class Candidate(NamedTuple):
    """A due pending row locked by a batch of candidates, with what deciding its
    request needs."""

    id: int
    provider_id: int
    company_id: int
    body: str
    number: str
    send_ref: str
    attempt_count: int
    gateway: str = "aakash"  # another: a number outside Nepal, handed to Odoo's SMS


def _send(client, numbers, text):
    """Run one request in an HTTP thread: the client's results, or what it raised."""
    try:
        return client.send(numbers, text)
    except Exception as exc:  # noqa: BLE001 - recorded per row by the worker  # pylint: disable=broad-except
        return exc


class SmsQueue:
    """One run of the queue: take due rows, send them, record each outcome.

    :param messages: ``aakash.sms.message`` with superuser rights: the rows to send,
        or an empty recordset for every due row
    :param key: the worker's key (its advisory lock is held by the caller)
    :param commit: commit before each request leaves and after each outcome (the
        cron); without it everything happens in the caller's transaction
    :param prepare_until: ``time.monotonic()`` until which the large sends still
        preparing get their next recipients from this run (the cron's; ``None``:
        none)
    """

    def __init__(self, messages, key, commit, prepare_until=None):
        self.env = messages.env
        self.Message = messages.browse()
        self.scope = messages.ids or None
        self.key = key
        self.commit = commit
        self.clients = {}  # provider id -> ClientOrReason, made at its first request
        self.busy = Counter()  # provider id -> requests in flight
        # the providers' request slots, shared with every other worker and server
        self.slots = ProviderSlots(self.env.cr)
        self.in_flight = {}  # future -> Request
        self.rows_per_text = None  # how many rows shared a text in the last batch
        self.done = []  # ids of the rows that got an outcome
        # about how many rows may wait for their chatter note: those that got an
        # outcome since the last look (the cron looks once for those a run cut short
        # left)
        self.notes_due = NOTE_CHUNK_WAITING if commit else 0
        self.prepare_until = prepare_until if commit else None
        self.exhausted = False  # the last batch of candidates found no due row
        self.handed = 0  # rows the last batch handed to Odoo's SMS
        self.time_left = float("inf")
        self.pool = None

    def run(self):
        """Send until no due row is left or the time budget is spent.

        :return: the rows that got an outcome (those that still exist)
        """
        self.time_left = self._checkpoint()
        with ThreadPoolExecutor(
            max_workers=MAX_THREADS, thread_name_prefix="aakash-sms"
        ) as self.pool:
            progress = True
            while self.in_flight or progress:
                if not self.in_flight:
                    # nothing at the gateway: send, else prepare a chunk to send, else
                    # done
                    progress = self._launch() or self._prepare(waiting=False)
                    continue
                # every request that could leave is at the gateway: until one ends,
                # the next recipients of a large send, then the notes
                self._prepare(waiting=True)
                self._write_notes(waiting=True)
                outcomes = self._wait()
                if not self.exhausted and self.time_left > EARLY_LAUNCH_MARGIN:
                    # well within the time budget: the freed requests leave first,
                    # their wait overlaps writing these outcomes (only HTTP waits
                    # meanwhile)
                    self._launch()
                    self._record(outcomes)
                else:
                    self._record(outcomes)
                    self._launch()
                # once the gateway is idle: one more look
                progress = True
        # nothing left to send: every note due, while the time budget lasts (the next
        # run writes those left)
        self._write_notes(waiting=False)
        # final rows may be deleted once their outcome is committed
        done = self.Message.browse(list(dict.fromkeys(self.done))).exists()
        self.env["aakash.sms.provider"]._deduct_sent_credits(done)
        done._notify_completed_sends()
        return done

    def _checkpoint(self, processed=0):
        """Commit (the cron's progress): the time budget left, in seconds."""
        if not self.commit:
            return float("inf")
        return self.env["ir.cron"]._commit_progress(processed)

    # ------------------------------------------------------------------
    # Steps: take rows, send, record
    # ------------------------------------------------------------------
    def _launch(self):
        """Take the next requests and send them: whether any row was taken."""
        if self.exhausted or self.time_left <= 0:
            return False
        found, requests, refused = self._take()
        self.exhausted = not found
        if refused:
            refused._aakash_after_outcome(defer_notes=True)
            self.done.extend(refused.ids)
            self.notes_due += len(refused)
        if requests or refused or self.handed:
            # the rows are 'sending' for everyone before the requests leave
            self._checkpoint()
        for request in requests:
            future = self.pool.submit(
                _send, request.client, request.numbers, request.text
            )
            self.in_flight[future] = request
            self.busy[request.provider_id] += 1
        return bool(requests or refused or self.handed)

    def _wait(self):
        """Wait for at least one request to end: ``[(request, outcome)]``."""
        finished, _pending = wait(list(self.in_flight), return_when=FIRST_COMPLETED)
        outcomes = []
        for future in finished:
            request = self.in_flight.pop(future)
            self.busy[request.provider_id] -= 1
            self.slots.release(request.provider_id)
            outcomes.append((request, future.result()))
        return outcomes

    def _record(self, outcomes):
        """Write the outcomes of ended requests, then commit them (their notes are
        due)."""
        recorded = self.Message
        for request, outcome in outcomes:
            rows = self.Message.browse(request.ids)
            # the rows still there (one may have been removed meanwhile)
            recorded |= rows._record_outcome(request, outcome, retry=self.commit)
        recorded._aakash_after_outcome(defer_notes=True)
        self.done.extend(recorded.ids)
        self.notes_due += len(recorded)
        # outcomes and Odoo's SMS committed together, the notes marked due
        self.time_left = self._checkpoint(len(recorded))

    def _prepare(self, waiting):
        """Prepare the next documents of the large sends still preparing, each chunk
        committed, while this run's share of the time budget for preparing lasts.

        :param waiting: requests are at the gateway: small chunks, until one ends;
            otherwise one full chunk
        :return: whether documents were prepared (rows to take)
        """
        Send = self.env["aakash.sms.send"]
        prepared = False
        while (
            self.prepare_until is not None
            and self.time_left > 0
            and time.monotonic() < self.prepare_until
        ):
            if waiting and any(future.done() for future in self.in_flight):
                break
            send_sudo = Send._aakash_lock_next()
            count = 0
            if send_sudo:
                count = send_sudo._aakash_prepare_chunk(
                    PREPARE_CHUNK_WAITING if waiting else None
                )
            else:
                # none left (or each held by another worker): the sending's turn
                self.prepare_until = None
            # each chunk committed with its progress; and no snapshot kept while
            # requests are at the gateway
            self.time_left = self._checkpoint(count)
            if count:
                prepared = True
                self.exhausted = False  # its rows are to take
            if not waiting and (count or not send_sudo):
                # (a send found fully prepared: the next one)
                break
        return prepared

    def _write_notes(self, waiting):
        """Write the chatter notes due, by chunks, each committed with its rows
        unmarked, while the time budget lasts.

        :param waiting: requests are at the gateway: small chunks, once a chunk is
            due, and stop as soon as a request ends (its freed request leaves first);
            otherwise every note due
        """
        # the cron notes every row due (those a run cut short left too); a send in
        # the caller's transaction only its own rows
        scope = None if self.commit else self.done
        if scope is not None and not scope:
            return
        size = NOTE_CHUNK_WAITING if waiting else NOTE_CHUNK
        conflicts = 0
        while self.time_left > 0:
            if waiting and (
                self.notes_due < size or any(future.done() for future in self.in_flight)
            ):
                return
            taken = self.Message._aakash_post_due_notes(size, scope)
            if taken is None:
                # another worker noted rows since this transaction began: a fresh one
                # (the rows it holds are its own to note)
                conflicts += 1
                if not self.commit or conflicts > 3:
                    taken = 0
            elif taken < size:
                self.notes_due = 0  # none left
            else:
                self.notes_due = max(self.notes_due - taken, 0)
            # the notes committed with their rows unmarked; and no snapshot of this
            # transaction is kept while requests are at the gateway (a row deleted
            # meanwhile must not fail the writing of their outcomes)
            self.time_left = self._checkpoint()
            if taken is not None and taken < size:
                return

    def _take(self):
        """Lock due pending rows and make the next requests of them, marked
        ``sending``.

        When every row has its own text (personalised), a batch of candidates locks
        only as many rows as there are free requests, not a batch per request.

        :return: ``(found, requests, refused)``: whether any due row was found, the
            requests to make, and rows given their outcome without a request (no
            active provider, no token, provider of another company, opted out,
            a copy in the same send)
        """
        self.Message.flush_model()
        self.handed = 0
        providers = self.env["aakash.sms.provider"].search([("active", "=", True)])
        slots = self.slots.reserve(providers)
        free = sum(max(0, n) for n in slots.values())
        if providers and not free:
            # every provider is busy: wait for a request to end (another server's)
            if not self.in_flight:
                time.sleep(0.05)
            return True, [], self.Message
        # with no active provider at all, the rows are still taken: to be refused
        per_request = max([p.batch_size for p in providers] or [100])
        if self.rows_per_text:
            per_request = max(1, min(per_request, self.rows_per_text))
        limit = min(MAX_CANDIDATES, max(1, free) * per_request)
        candidates = self._lock_candidates(limit)
        # numbers outside Nepal that waited for their time: Odoo's SMS sends them
        routed = [row.id for row in candidates if row.gateway != "aakash"]
        groups, refused = self._group_candidates(
            [row for row in candidates if row.gateway == "aakash"], providers
        )
        self.rows_per_text = None
        if groups:
            self.rows_per_text = -(
                -sum(len(rows) for rows in groups.values()) // len(groups)
            )
            if len(candidates) >= limit:
                # a full batch may have cut the texts short: fetch more next time
                self.rows_per_text *= 2
        requests = []
        for (provider_id, _body), rows in groups.items():
            if provider_id not in self.clients:
                provider = providers.browse(provider_id)
                self.clients[provider_id] = provider._get_client_or_reason()
            client, reason = self.clients[provider_id]
            if reason:
                refused["no_provider", reason].extend(row.id for row in rows)
                continue
            # the client was made at the run's first request: the batch size may have
            # changed since, either way a request holds what both accept
            size = max(
                1, min(providers.browse(provider_id).batch_size, client.batch_size)
            )
            requests += self._requests_of(rows, size, slots, client, refused)
        self.slots.keep(slots)
        self._mark_sending(requests)
        refused_rows = self._write_refusals(refused)
        self.handed = len(routed)
        if routed:
            refused_rows |= self.Message._aakash_hand_over_routed(routed)
        return bool(candidates), requests, refused_rows

    def _lock_candidates(self, limit):
        """Lock up to ``limit`` due pending rows (of the scope if given), skipping rows
        locked by another worker: a list of :class:`Candidate`.

        Not ``search(...).try_lock_for_update()``: this locks and reads the due rows
        in one query, and a row another worker changed after our snapshot ends in a
        serialization failure that is expected here (caught without being logged as
        a bad query, which ``try_lock_for_update`` would do).
        """
        query = self._candidates_query(limit)
        cr = self.env.cr
        try:
            with in_index_order(cr), cr.savepoint(flush=False):
                # a row another worker changed after our snapshot: theirs, skip it
                cr.execute(query, log_exceptions=False)
                return [Candidate(*row) for row in cr.fetchall()]
        except psycopg2.errors.SerializationFailure:
            return []

    def _candidates_query(self, limit):
        """The query of :meth:`_lock_candidates`: the due pending rows in id order
        (run within :func:`in_index_order`)."""
        # the companies whose sending hours are closed now hold their bulk rows
        closed = list(self.Message._aakash_closed_windows())
        return SQL(
            """
            SELECT id, provider_id, company_id, body, number, send_ref,
                   COALESCE(attempt_count, 0), gateway
              FROM aakash_sms_message
             WHERE state = 'pending'
               AND (next_attempt_date IS NULL OR next_attempt_date <= %s)
               %s %s
             ORDER BY id
             LIMIT %s
               FOR NO KEY UPDATE SKIP LOCKED
            """,
            fields.Datetime.now(),
            SQL("AND id IN %s", tuple(self.scope)) if self.scope is not None else SQL(),
            SQL("AND NOT (quiet_hours AND company_id = ANY(%s))", closed)
            if closed
            else SQL(),
            limit,
        )

    def _group_candidates(self, candidates, providers):
        """``(groups, refused)``: the candidates that may be sent by ``(provider id,
        text)``, and the ids of those no request may carry by ``(error kind,
        reason)``.

        Decided now, whatever was decided when the row was written: the row's provider
        is still active and of its company (never another provider instead), its
        number is not on the blacklist.
        """
        Message = self.Message
        groups = defaultdict(list)
        refused = defaultdict(list)
        by_id = providers.grouped("id")
        archived = self.env["aakash.sms.provider"].with_context(active_test=False)
        opted_out = Message._aakash_opted_out(
            {row.number for row in candidates if row.number}
        )
        # hook of the monthly credit budget (res_company.py): companies whose budget
        # is spent send nothing more this month
        over_budget = self.env["res.company"]._aakash_sms_budget_refusals(
            {row.company_id for row in candidates}
        )
        for row in candidates:
            provider = by_id.get(row.provider_id, providers.browse())[:1]
            if not row.provider_id:
                reason = Message._aakash_refusal_reason("no_provider_set")
                refused["no_provider", reason].append(row.id)
            elif not provider:
                reason = Message._aakash_refusal_reason(
                    "provider_archived", archived.browse(row.provider_id).name
                )
                refused["no_provider", reason].append(row.id)
            elif provider.company_id.id != row.company_id:
                reason = Message._aakash_refusal_reason("provider_other_company")
                refused["no_provider", reason].append(row.id)
            elif row.number in opted_out:
                reason = Message._aakash_refusal_reason("opted_out")
                refused["opted_out", reason].append(row.id)
            elif row.company_id in over_budget:
                refused["budget", over_budget[row.company_id]].append(row.id)
            else:
                groups[row.provider_id, row.body].append(row)
        return groups, refused

    def _requests_of(self, rows, size, slots, client, refused):
        """The requests of the candidates ``rows`` of one provider and text, as many
        as its free ``slots`` allow.

        A request never holds one number twice: a later copy of a number already taken
        by this batch waits for a later request (it stays pending), or, when both rows
        are of the same send, is refused as a duplicate (added to ``refused``).
        """
        duplicate = ("duplicate", self.Message._aakash_refusal_reason("duplicate"))
        requests, chunk, taken = [], [], {}
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
                requests.append(self._request(chunk, client))
                chunk = []
        if chunk:
            requests.append(self._request(chunk, client))
        return requests

    @staticmethod
    def _request(rows, client):
        return Request(
            [row.id for row in rows],
            rows[0].provider_id,
            client,
            [row.number for row in rows],
            rows[0].body,
            [row.attempt_count for row in rows],
        )

    def _mark_sending(self, requests):
        """Mark the rows of ``requests`` ``sending`` under the worker's key."""
        ids = [i for request in requests for i in request.ids]
        if not ids:
            return
        # one UPDATE of rows this worker holds locked (the ORM's write would also
        # compute their delivery rate again: 0 before and after)
        fnames = ["state", "sending_key", "write_uid", "write_date"]
        self.env.cr.execute(
            SQL(
                "UPDATE aakash_sms_message SET state = 'sending', sending_key = %s,"
                " write_uid = %s, write_date = %s WHERE id = ANY(%s)",
                self.key,
                self.env.uid,
                fields.Datetime.now(),
                ids,
            )
        )
        rows = self.Message.browse(ids)
        rows.invalidate_recordset(fnames)
        rows.modified(fnames)
        self.env.remove_to_compute(self.Message._fields["delivery_rate"], rows)

    def _write_refusals(self, refused):
        """Give the rows of ``refused`` (ids by ``(error kind, reason)``) their final
        outcome, without a request: the rows."""
        now = fields.Datetime.now()
        refused_rows = self.Message
        for (kind, reason), ids in refused.items():
            batch = self.Message.browse(ids)
            batch.write(
                {
                    "state": OUTCOMES[kind][0],
                    "error_kind": kind,
                    "reason": reason,
                    "gateway_status": "not sent",
                    "sent_date": now,
                    # its chatter note is written when no request can leave
                    "note_due": True,
                }
            )
            refused_rows |= batch
        return refused_rows
