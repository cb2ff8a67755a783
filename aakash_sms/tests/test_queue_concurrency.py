import threading
import time
from contextlib import closing
from unittest.mock import patch

from odoo import sql_db
from odoo.tests import tagged

from ..models import sending_queue
from .common import (
    AakashSmsCase,
    delete_committed,
    pending_rows,
    real_env,
    run_in_two_workers,
    sandbox_provider,
)


@tagged("post_install", "-at_install")
class TestTwoWorkers(AakashSmsCase):
    """Two queue workers on two real database connections, at the same time.

    The rows are committed for real (other connections must see them) and
    removed at the end.
    """

    def test_each_message_sent_exactly_once(self):
        dbname = self.env.cr.dbname
        count = 60
        with closing(sql_db.db_connect(dbname).cursor()) as cr:
            env = real_env(self.registry, cr)
            provider = sandbox_provider(
                env, self.gateway, "Concurrency", batch_size=10, timeout=10
            )
            messages = pending_rows(provider, count, "once only")
            provider_id, message_ids = provider.id, messages.ids
            # other connections must see the rows
            cr.commit()  # pylint: disable=invalid-commit

        self.addCleanup(delete_committed, dbname, provider_id, message_ids)

        self.gateway.latency = 0.05  # let the two workers overlap
        self.addCleanup(setattr, self.gateway, "latency", 0)
        errors = run_in_two_workers(
            self.registry, dbname, lambda env: env["aakash.sms.message"]._cron_send()
        )
        self.assertFalse(errors)

        sent = self.gateway.sent_numbers()
        self.assertEqual(len(sent), count, "every message sent")
        self.assertEqual(len(set(sent)), count, "no message sent twice")
        send_requests = [
            r for r in self.gateway.requests if r.path.endswith("/v3/send")
        ]
        self.assertEqual(len(send_requests), count // 10)
        with closing(sql_db.db_connect(dbname).cursor()) as cr:
            cr.execute(
                "SELECT state, count(*) FROM aakash_sms_message "
                "WHERE id IN %s GROUP BY state",
                [tuple(message_ids)],
            )
            self.assertEqual(dict(cr.fetchall()), {"queued": count})

    def test_each_due_note_written_once(self):
        """Rows whose notes a run had no time for: two workers at once write each
        note once (the rows locked with SKIP LOCKED, noted and unmarked together)."""
        dbname = self.env.cr.dbname
        count = 40
        with closing(sql_db.db_connect(dbname).cursor()) as cr:
            env = real_env(self.registry, cr)
            provider = sandbox_provider(env, self.gateway, "Notes once")
            partners = env["res.partner"].create(
                [{"name": f"Noted {i}", "phone": f"98{i:08d}"} for i in range(count)]
            )
            messages = env["aakash.sms.message"].create(
                [
                    {
                        "number": partner.phone,
                        "number_raw": partner.phone,
                        "body": "noted once",
                        "provider_id": provider.id,
                        "company_id": env.company.id,
                        "res_model": "res.partner",
                        "res_id": partner.id,
                        "partner_id": partner.id,
                        "state": "queued",
                        "note_due": True,
                    }
                    for partner in partners
                ]
            )
            provider_id, message_ids = provider.id, messages.ids
            partner_ids = partners.ids
            # other connections must see the rows
            cr.commit()  # pylint: disable=invalid-commit

        self.addCleanup(
            delete_committed, dbname, provider_id, message_ids, partner_ids=partner_ids
        )
        # small chunks: the two workers take turns on the same rows
        with patch.object(sending_queue, "NOTE_CHUNK", 4):
            errors = run_in_two_workers(
                self.registry,
                dbname,
                lambda env: env["aakash.sms.message"]._cron_send(),
            )
        self.assertFalse(errors)
        with closing(sql_db.db_connect(dbname).cursor()) as cr:
            cr.execute(
                "SELECT res_id, count(*) FROM mail_message "
                "WHERE model = 'res.partner' AND res_id IN %s "
                "AND body ILIKE '%%noted once%%' GROUP BY res_id",
                [tuple(partner_ids)],
            )
            notes = dict(cr.fetchall())
            cr.execute(
                "SELECT count(*) FROM aakash_sms_message WHERE id IN %s "
                "AND (note_due OR mail_message_id IS NULL)",
                [tuple(message_ids)],
            )
            [[left]] = cr.fetchall()
        self.assertEqual(notes, dict.fromkeys(partner_ids, 1), "each note once")
        self.assertEqual(left, 0, "every row linked to its note")


@tagged("post_install", "-at_install")
class TestRowDeletedInFlight(AakashSmsCase):
    """A row removed from the database (by SQL: the log refuses to delete it) while
    its request is at the gateway: the other rows of the request keep their outcome.

    The queue runs on a real connection, the row is deleted on another one.
    """

    def test_the_other_rows_keep_their_gateway_ids(self):
        dbname = self.env.cr.dbname
        with closing(sql_db.db_connect(dbname).cursor()) as cr:
            env = real_env(self.registry, cr)
            provider = sandbox_provider(env, self.gateway, "Deleted in flight")
            messages = pending_rows(
                provider, 3, "one of us is gone", send_ref="deleted-in-flight"
            )
            provider_id, message_ids = provider.id, messages.ids
            # the queue's own connection must see the rows
            cr.commit()  # pylint: disable=invalid-commit

        self.addCleanup(delete_committed, dbname, provider_id, message_ids)
        self.gateway.latency = 1.0  # the request stays at the gateway meanwhile
        self.addCleanup(setattr, self.gateway, "latency", 0)
        errors = []

        def worker():
            try:
                with closing(sql_db.db_connect(dbname).cursor()) as cr:
                    real_env(self.registry, cr)["aakash.sms.message"]._cron_send()
                    # a worker's own connection
                    cr.commit()  # pylint: disable=invalid-commit
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        thread = threading.Thread(target=worker)
        thread.start()
        deadline = time.monotonic() + 20
        while not self.gateway.in_flight and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertTrue(self.gateway.in_flight, "the request is at the gateway")
        with closing(sql_db.db_connect(dbname).cursor()) as cr:
            cr.execute("DELETE FROM aakash_sms_message WHERE id = %s", [message_ids[0]])
            cr.commit()  # pylint: disable=invalid-commit
        thread.join(60)
        self.assertFalse(errors)
        self.assertEqual(len(self.gateway.sent_numbers()), 3, "the request had all 3")
        with closing(sql_db.db_connect(dbname).cursor()) as cr:
            cr.execute(
                "SELECT id, state, gateway_id IS NOT NULL FROM aakash_sms_message "
                "WHERE id IN %s ORDER BY id",
                [tuple(message_ids)],
            )
            self.assertEqual(
                cr.fetchall(),
                [(message_ids[1], "queued", True), (message_ids[2], "queued", True)],
            )
