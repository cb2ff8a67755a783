"""Delivery reports: Aakash's report of sent messages, read back onto the log rows.

Called by ``aakash.sms.message._cron_sync_reports``, once per provider.
"""

import logging
from collections import defaultdict

from odoo import fields

from ..const import REPORT_DELIVERED, REPORT_UNDELIVERED
from ..tools import errors
from ..tools.numbers import network_label
from .provider_slots import one_slot

_logger = logging.getLogger(__name__)


class ReportSync:
    """Read one provider's report for its accepted rows, newest page first.

    :param provider: the ``aakash.sms.provider`` (with superuser rights: it reads the
        token and writes where the next reading goes on)
    :param rows: its ``aakash.sms.message`` rows accepted by Aakash, with a gateway id
    :param max_pages: pages read at most
    """

    def __init__(self, provider, rows, max_pages):
        self.provider = provider
        self.rows = rows
        self.max_pages = max_pages

    def run(self):
        """Write what the report says on the rows: the rows whose state changed.

        Stops early once every row is found or a page holds only SMS older than the
        oldest row; the provider remembers the page where the next run goes on.
        """
        rows = self.rows
        by_gateway_id = defaultdict(list)
        for row in rows:
            by_gateway_id[row.gateway_id].append(row)
        oldest = min(rows.mapped("sent_date"))
        oldest_text = fields.Datetime.to_string(
            fields.Datetime.subtract(oldest, days=1)
        )
        updated = rows.browse()
        client, reason = self.provider._get_client_or_reason()
        if reason:
            _logger.warning(
                "Aakash SMS: the report of provider %s cannot be read: %s",
                self.provider.id,
                reason,
            )
            return updated
        # the report's pages in one of the provider's request slots: its parallel
        # requests are the gateway's limit for every request
        with one_slot(self.provider.env.cr, self.provider) as held:
            if not held:
                _logger.info(
                    "Aakash SMS: provider %s has every request slot at the gateway: "
                    "its report is read next time",
                    self.provider.id,
                )
                return updated
            return self._read_pages(client, by_gateway_id, oldest_text, updated)

    def _read_pages(self, client, by_gateway_id, oldest_text, updated):
        """Read the report from the page where the last reading stopped; the rows
        whose state changed, added to ``updated``."""
        page = self.provider.report_next_page or 1
        try:
            for _i in range(self.max_pages):
                report = client.report(page)
                for entry in report.entries:
                    same_id = by_gateway_id.get(entry.message_id)
                    if not same_id:
                        continue
                    row = self._pick_row(same_id, entry)
                    if row and self._apply_entry(row, entry):
                        updated |= row
                    if not same_id:
                        del by_gateway_id[entry.message_id]
                dates = [
                    entry.sent_at[:19] for entry in report.entries if entry.sent_at
                ]
                too_old = dates and max(dates) < oldest_text
                if (
                    not by_gateway_id
                    or too_old
                    or page >= report.total_pages
                    or not report.entries
                ):
                    page = 1
                    break
                page += 1
        except errors.AakashError as exc:
            _logger.warning(
                "Aakash SMS: reading the report of provider %s failed: %s",
                self.provider.id,
                exc,
            )
        self.provider.report_next_page = page
        return updated

    @staticmethod
    def _pick_row(rows, entry):
        """The row among ``rows`` (same gateway id) that ``entry`` reports on,
        removed from ``rows``; ``None`` when the number cannot tell them apart (they
        are flagged)."""
        if len(rows) == 1:
            return rows.pop()
        same_number = [
            row for row in rows if entry.number and row.number == entry.number
        ]
        if len(same_number) == 1:
            rows.remove(same_number[0])
            return same_number[0]
        for row in rows:
            row.write(
                {
                    "gateway_status": row.env._(
                        "duplicate gateway id: check the Aakash report"
                    )
                }
            )
        rows.clear()
        return None

    @staticmethod
    def _apply_entry(row, entry):
        """Write what the report says on ``row``; return whether its state
        changed."""
        status = (entry.status or "").lower()
        state = row.state
        if status in REPORT_DELIVERED:
            state = "delivered"
        elif status in REPORT_UNDELIVERED:
            state = "undelivered"
        vals = {"gateway_status": entry.status, "state": state}
        if entry.network:
            vals["network"] = network_label(entry.network)
        if entry.credits:
            vals["credits"] = entry.credits
        row.write(vals)
        return state != "queued"
