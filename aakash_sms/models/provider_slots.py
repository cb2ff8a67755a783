"""Requests in flight per provider, counted over every worker of every server.

A provider's ``parallel_requests`` is its gateway's limit, not one worker's: two cron
workers (two Odoo servers on one database) share it.  Each request in flight holds
one of the provider's slots, a PostgreSQL session advisory lock
``(SLOT_NAMESPACE, provider id * 16 + slot)``: a worker takes free slots with
``pg_try_advisory_lock`` before it marks rows ``sending``, and gives one back when a
request ends.  A worker that dies gives its slots back with its connection.
"""

from collections import defaultdict

from odoo.tools import SQL

from ..const import SLOT_NAMESPACE

SLOTS_PER_PROVIDER = 16  # the provider's parallel_requests at most


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
