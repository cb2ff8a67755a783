"""Requests in flight per provider, counted over every worker of every server.

A provider's ``parallel_requests`` is its gateway's limit, not one worker's: two cron
workers (two Odoo servers on one database) share it.  Each request in flight holds
one of the provider's slots, a PostgreSQL session advisory lock
``(SLOT_NAMESPACE, provider id * 16 + slot)``: a worker takes free slots with
``pg_try_advisory_lock`` before it marks rows ``sending``, and gives one back when a
request ends.  A worker that dies gives its slots back with its connection.  A request
outside the queue (a balance, a delivery report) holds one too (:func:`one_slot`).
"""

import time
from collections import defaultdict
from contextlib import contextmanager

from odoo.tools import SQL

from ..const import SLOT_NAMESPACE

SLOTS_PER_PROVIDER = 16  # the provider's parallel_requests at most
# how long a request outside the queue (a balance, a report) waits for a free slot
SLOT_WAIT_S = 10


class ProviderSlots:
    """The slots one worker holds, on its database connection ``cr``."""

    def __init__(self, cr):
        self.cr = cr
        self.held = defaultdict(list)  # provider id -> slots held
        self.reserved = {}  # provider id -> slots taken by the last reserve()

    def _key(self, provider_id, slot):
        return provider_id * SLOTS_PER_PROVIDER + slot

    def reserve(self, providers):
        """Take every free slot of ``providers``: ``{provider id: how many}``."""
        counts = {}
        self.reserved = {}
        for provider in providers:
            limit = min(max(1, provider.parallel_requests), SLOTS_PER_PROVIDER)
            candidates = [s for s in range(limit) if s not in self.held[provider.id]]
            taken = []
            if candidates:
                self.cr.execute(
                    SQL(
                        "SELECT s FROM unnest(%s::int[]) AS s"
                        " WHERE pg_try_advisory_lock(%s, %s * %s + s)",
                        candidates,
                        SLOT_NAMESPACE,
                        provider.id,
                        SLOTS_PER_PROVIDER,
                    )
                )
                taken = [slot for [slot] in self.cr.fetchall()]
            self.reserved[provider.id] = taken
            counts[provider.id] = len(taken)
        return counts

    def keep(self, unused):
        """Keep the reserved slots the requests use; give back ``unused``
        (``{provider id: how many}``, what :meth:`reserve` gave minus those used)."""
        for provider_id, taken in self.reserved.items():
            left = max(0, unused.get(provider_id, 0))
            used = taken[: len(taken) - left]
            self.held[provider_id].extend(used)
            for slot in taken[len(taken) - left :]:
                self._unlock(provider_id, slot)
        self.reserved = {}

    def release(self, provider_id):
        """A request of the provider ended: give one slot back."""
        if self.held[provider_id]:
            self._unlock(provider_id, self.held[provider_id].pop())

    def release_all(self):
        """Give every slot back (the end of a run, even a failed one)."""
        for provider_id, slots in self.held.items():
            while slots:
                self._unlock(provider_id, slots.pop())
        for provider_id, taken in self.reserved.items():
            for slot in taken:
                self._unlock(provider_id, slot)
        self.reserved = {}

    def _unlock(self, provider_id, slot):
        if self.cr.closed:
            return  # the connection took its locks along
        self.cr.execute(
            SQL(
                "SELECT pg_advisory_unlock(%s, %s)",
                SLOT_NAMESPACE,
                self._key(provider_id, slot),
            )
        )


@contextmanager
def one_slot(cr, provider):
    """Hold one of ``provider``'s request slots on ``cr`` for a request outside the
    queue (its balance, its report pages): the gateway's limit counts every request.

    Tries the slots again every 10 ms, ``SLOT_WAIT_S`` at most (a slot the queue frees
    waits tens of milliseconds for its next request).  It never waits inside
    PostgreSQL: a worker blocked there while holding rows the queue writes could
    deadlock with it.  Yields whether a slot is held; gives it back at the end.
    """
    limit = min(max(1, provider.parallel_requests), SLOTS_PER_PROVIDER)
    deadline = time.monotonic() + SLOT_WAIT_S
    while True:
        # the first free slot only (LIMIT stops the scan at the first lock taken)
        cr.execute(
            SQL(
                "SELECT s FROM unnest(%s::int[]) AS s"
                " WHERE pg_try_advisory_lock(%s, %s * %s + s) LIMIT 1",
                list(range(limit)),
                SLOT_NAMESPACE,
                provider.id,
                SLOTS_PER_PROVIDER,
            )
        )
        row = cr.fetchone()
        if row or time.monotonic() >= deadline:
            break
        time.sleep(0.01)
    slots = ProviderSlots(cr)
    if row:
        slots.held[provider.id].append(row[0])
    try:
        yield bool(row)
    finally:
        slots.release_all()
