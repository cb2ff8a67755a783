"""Delivery reports: Aakash's report of sent messages, read back onto the log rows."""

import logging
from collections import defaultdict

from odoo import api, fields, models

from ..tools import errors
from ..tools.numbers import network_label

_logger = logging.getLogger(__name__)

REPORT_DELIVERED = ("delivered", "success", "sent")
REPORT_UNDELIVERED = ("failed", "undelivered", "rejected", "expired", "aborted")
# how long a row accepted by Aakash waits for its report
REPORT_DAYS = 3
# pages read per provider and run; the next run goes on where this one stopped
PAGES_PER_RUN = 200


class AakashSmsProvider(models.Model):
    _inherit = "aakash.sms.provider"

    report_next_page = fields.Integer(
        "Report Page To Read",
        default=1,
        readonly=True,
        copy=False,
        help="Where the next reading of Aakash's report goes on (1: from the newest).",
    )


class AakashSmsMessage(models.Model):
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "aakash.sms.message"

    @api.model
    def _cron_sync_reports(self, days=REPORT_DAYS, max_pages=PAGES_PER_RUN):
        """Update accepted rows from Aakash's report of sent messages (matched by
        gateway id).

        The report lists every SMS of the account, newest first.  Each run reads at
        most ``max_pages`` pages per provider, and stops early once every open row is
        found or a page holds only SMS older than the oldest open row; the next run
        goes on from the page where this one stopped, so a large send is reconciled
        over a few runs.  Two rows sharing one gateway id are matched by number too;
        when that cannot tell them apart they are flagged, never half-updated.
        """
        rows_sudo = self.sudo()  # a cron: reads every company's rows and providers
        since = fields.Datetime.subtract(fields.Datetime.now(), days=days)
        open_rows = rows_sudo.search(
            [
                ("state", "=", "queued"),
                ("gateway_id", "!=", False),
                ("sent_date", ">=", since),
            ]
        )
        updated = rows_sudo.browse()
        for provider, rows in open_rows.grouped("provider_id").items():
            if not provider:
                continue
            updated |= rows._sync_report_of(provider, max_pages)
        updated._on_report_update()
        return updated

    def _sync_report_of(self, provider, max_pages):
        """Read ``provider``'s report for the rows ``self``; return the rows whose
        state changed."""
        by_gateway_id = defaultdict(list)
        for row in self:
            by_gateway_id[row.gateway_id].append(row)
        oldest = min(self.mapped("sent_date"))
        oldest_text = fields.Datetime.to_string(
            fields.Datetime.subtract(oldest, days=1)
        )
        updated = self.browse()
        client, reason = provider._aakash_client()
        if reason:
            _logger.warning(
                "Aakash SMS: the report of provider %s cannot be read: %s",
                provider.id,
                reason,
            )
            return updated
        page = provider.report_next_page or 1
        try:
            for _i in range(max_pages):
                report = client.report(page)
                for entry in report.entries:
                    rows = by_gateway_id.get(entry.message_id)
                    if not rows:
                        continue
                    row = self._pick_report_row(rows, entry)
                    if row and row._apply_report_entry(entry):
                        updated |= row
                    if not rows:
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
                provider.id,
                exc,
            )
        provider.report_next_page = page
        return updated

    def _pick_report_row(self, rows, entry):
        """The row among ``rows`` (same gateway id) that ``entry`` reports on,
        removed from ``rows``."""
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
                    "gateway_status": self.env._(
                        "duplicate gateway id: check the Aakash report"
                    )
                }
            )
        rows.clear()
        return None

    def _apply_report_entry(self, entry):
        """Write what the report says; return whether the state changed."""
        self.ensure_one()
        status = (entry.status or "").lower()
        state = self.state
        if status in REPORT_DELIVERED:
            state = "delivered"
        elif status in REPORT_UNDELIVERED:
            state = "undelivered"
        vals = {"gateway_status": entry.status, "state": state}
        if entry.network:
            vals["network"] = network_label(entry.network)
        if entry.credits:
            vals["credits"] = entry.credits
        self.write(vals)
        return state != "queued"

    def _on_report_update(self):
        """Called with the rows whose state a delivery report changed."""
        self._aakash_update_native_trackers()
        return True
