"""A send of many records: recorded at the click, prepared by the queue in chunks."""

import time
from contextlib import closing
from datetime import timedelta
from unittest.mock import patch

import psycopg2

from odoo import fields, sql_db
from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from .common import (
    TOKEN,
    AakashSmsCase,
    delete_committed,
    real_env,
    role_user,
    run_in_two_workers,
    sandbox_provider,
)
from .test_permissions import CompanyBMixin

SEND_MODULE = "odoo.addons.aakash_sms.models.aakash_sms_send"
COMPOSER_MODULE = "odoo.addons.aakash_sms.wizard.aakash_sms_composer"


class LargeSendMixin:
    @classmethod
    def bulk_contacts(cls, prefix, count, company=None, first=0):
        """``count`` contacts named ``prefix 0001``..., each with its own mobile."""
        return (
            cls.env["res.partner"]
            .with_context(tracking_disable=True)
            .create(
                [
                    {
                        "name": f"{prefix} {i:05d}",
                        "phone": f"985{i:07d}",
                        "company_id": company.id if company else False,
                    }
                    for i in range(first, first + count)
                ]
            )
        )

    def open_over_domain(self, domain, user=None, model="res.partner"):
        """The composer as "select all" opens it: the list's domain, and no more ids
        than the web client's limit."""
        env = self.env(user=user) if user else self.env
        ctx = {
            "active_model": model,
            "active_ids": [],
            "active_domain": domain,
        }
        return Form(env["aakash.sms.composer"].with_context(**ctx))

    def send_of(self, action):
        ref_domain = action["params"]["buttons"][0]["action"]["domain"]
        [(_field, _op, ref)] = ref_domain
        return self.env["aakash.sms.send"].search([("send_ref", "=", ref)])


@tagged("post_install", "-at_install")
class TestLargeSend(LargeSendMixin, AakashSmsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bulk = cls.bulk_contacts("Bulk Customer", 2100)
        cls.domain = [("name", "=like", "Bulk Customer %")]

    def setUp(self):
        super().setUp()
        self.gateway.credits[TOKEN] = 10000

    def test_sms_user_sends_to_a_domain_of_2100(self):
        composer = self.open_over_domain(self.domain, user=self.sms_user)
        self.assertIn("2,100 records selected", composer.selection_note)
        composer.body = "Dashain sale: 20% off this week."
        # (its time is measured by benchmarks/bench_click.py)
        action = composer.save().action_send()
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn("Contact: SMS to 2,100 records", action["params"]["message"])
        send = self.send_of(action)
        self.assertRecordValues(
            send,
            [
                {
                    "state": "preparing",
                    "total_count": 2100,
                    "prepared_count": 0,
                    "user_id": self.sms_user.id,
                    "company_id": self.company.id,
                }
            ],
        )
        self.assertFalse(self.messages_of(self.bulk), "nothing prepared at the click")
        self.assertFalse(self.gateway.requests, "nothing sent at the click")

        self.run_queue()
        rows = self.messages_of(self.bulk)
        self.assertEqual(len(rows), 2100, "one row per record")
        self.assertEqual(set(rows.mapped("state")), {"queued"})
        self.assertEqual(rows.user_id, self.sms_user)
        self.assertEqual(set(rows.mapped("send_ref")), {send.send_ref})
        sent = self.gateway.sent_numbers()
        self.assertEqual(len(sent), 2100)
        self.assertEqual(len(set(sent)), 2100, "no number twice")
        self.assertTrue(all(rows.mapped("mail_message_id")), "a note on each record")
        self.assertEqual(send.state, "done")
        self.assertEqual(send.progress, "2,100 of 2,100 prepared, 2,100 sent")
        self.assertIn(
            "Contact: SMS to 2,100 records: 2,100 of 2,100 prepared, 2,100 sent",
            rows[:1].send_name,
        )

    def test_prepared_by_chunks_resumes_after_a_crash(self):
        """Chunks of 500: the second dies half-way (a killed worker); the next run
        goes on after the first, and no record is prepared twice or forgotten.
        Duplicates and opt-outs across chunks are refused as in one transaction."""
        self.require_full_database()
        twin = self.bulk[1500]  # the same number as the first record, a later chunk
        # the same text too: the same name
        twin.write({"phone": self.bulk[0].phone, "name": self.bulk[0].name})
        self.env["phone.blacklist"].sudo().add("+977" + self.bulk[1700].phone)
        composer = self.open_over_domain(self.domain, user=self.sms_user)
        composer.body = "Namaste {{ object.name }}"
        send = self.send_of(composer.save().action_send())

        Send = self.env["aakash.sms.send"]
        Message = type(self.env["aakash.sms.message"])
        real_create = Message._aakash_create_rows
        calls = []

        def dies_on_the_second_chunk(model, records, *args, **kwargs):
            rows = real_create(model, records, *args, **kwargs)
            calls.append(len(records))
            if len(calls) == 2:
                raise MemoryError("worker killed")
            return rows

        def commit_progress(cron, processed=0, **_kw):
            # a commit, as far as this test can: a savepoint the crash returns to
            cron.env.flush_all()
            cron.env.cr.execute("SAVEPOINT committed")
            return float("inf")

        with (
            patch(f"{SEND_MODULE}.CHUNK_SIZE", 500),
            patch.object(
                type(self.env["ir.cron"]), "_commit_progress", commit_progress
            ),
        ):
            # (not assertRaises: its savepoint would undo the "commits" too)
            killed = False
            with patch.object(Message, "_aakash_create_rows", dies_on_the_second_chunk):
                try:
                    Send._cron_prepare()
                except MemoryError:
                    killed = True
            self.assertTrue(killed)
            # the worker is gone: its transaction rolled back to the last commit
            self.env.cr.execute("ROLLBACK TO SAVEPOINT committed")
            self.env.invalidate_all()
            self.assertEqual(send.prepared_count, 500)
            self.assertEqual(send.prepared_until, self.bulk[499].id)
            self.assertEqual(len(self.messages_of(self.bulk)), 500)
            self.run_queue()

        rows = self.messages_of(self.bulk)
        self.assertEqual(len(rows), 2100, "none forgotten")
        self.assertEqual(len(set(rows.mapped("res_id"))), 2100, "none twice")
        by_partner = {row.partner_id: row for row in rows}
        self.assertEqual(by_partner[twin].error_kind, "duplicate")
        self.assertEqual(by_partner[self.bulk[1700]].error_kind, "opted_out")
        self.assertEqual(
            by_partner[self.bulk[7]].body, "Namaste Bulk Customer 00007", "rendered"
        )
        sent = self.gateway.sent_numbers()
        self.assertEqual(len(sent), 2098)
        self.assertEqual(len(set(sent)), 2098, "no number twice")
        self.assertEqual(send.state, "done")

        # the database itself refuses a second row of a document in the send
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.UniqueViolation),
            self.env.cr.savepoint(),
        ):
            self.env["aakash.sms.message"]._aakash_create_rows(
                self.bulk[:1],
                {self.bulk[0].id: "again"},
                send_ref=send.send_ref,
                values={"send_id": send.id},
            )
            self.env.flush_all()

    def test_list_selection_over_a_chunk_is_a_large_send(self):
        """Ids ticked in a list, more than a chunk: recorded the same way."""
        with patch(f"{COMPOSER_MODULE}.CHUNK_SIZE", 100):
            composer = self.open_composer(self.bulk[:150], user=self.sms_user)
            composer.body = "Namaste"
            send = self.send_of(composer.save().action_send())
        self.assertEqual(send.total_count, 150)
        self.run_queue()
        self.assertEqual(len(self.messages_of(self.bulk)), 150)
        self.assertEqual(len(self.gateway.sent_numbers()), 150)

    def test_many_ticked_records_preview_their_first_ones(self):
        """More ticked records than the web client gives (only code gives that many):
        the preview checks the first ones (the click does not grow with the
        selection: 100,000 ticked ids took 5 s), the credits are those of the whole
        selection, and all of them are sent."""
        self.read_balance(10000)
        with (
            patch(f"{COMPOSER_MODULE}.CHUNK_SIZE", 100),
            patch(f"{COMPOSER_MODULE}.PREVIEW_MAX_IDS", 100),
        ):
            composer = self.open_composer(self.bulk[:150], user=self.sms_user)
            composer.body = "Namaste"
            self.assertEqual(composer.recipient_count, 100)
            self.assertIn(
                "150 records selected: the preview shows the first 100",
                composer.selection_note,
            )
            self.assertEqual(composer.credit_estimate, 150)
            self.assertIn("about 150 credits for 150 recipients", composer.text_summary)
            send = self.send_of(composer.save().action_send())
        self.assertEqual(send.total_count, 150)
        self.run_queue()
        self.assertEqual(len(self.gateway.sent_numbers()), 150)

    def read_balance(self, balance):
        """Aakash has ``balance`` credits; the provider's last reading, an hour old,
        said more (the wizard reads it again at Send)."""
        self.gateway.credits[TOKEN] = balance
        self.provider.sudo().write(
            {
                "balance": 100000,
                "balance_date": fields.Datetime.now() - timedelta(hours=1),
            }
        )

    def test_a_select_all_is_guarded_by_the_cost_of_every_record(self):
        """The preview of "select all" checks its first records; the credit guard
        counts every record: a balance that pays for the preview's does not let
        2,100 SMS go (it did: the estimate was the preview's 200)."""
        self.read_balance(1000)
        composer = self.open_over_domain(self.domain, user=self.sms_user)
        composer.body = "Dashain sale: 20% off this week."
        composer = composer.save()
        self.assertEqual(composer.credit_estimate, 2100)
        action = composer.action_send()
        self.assertEqual(action["res_model"], "aakash.sms.composer", "withheld")
        self.assertIn(
            "This send needs about 2100 credits and Aakash Sandbox has 1000.0 left",
            composer.credit_shortfall,
        )
        self.assertFalse(self.env["aakash.sms.send"].search([]), "nothing recorded")
        self.run_queue()
        self.assertFalse(self.gateway.sent_numbers())

    def test_a_manager_sends_what_the_balance_covers_of_a_select_all(self):
        """A manager's "send to the recipients the balance covers" over "select
        all": the first records of the list the balance pays for, not every record
        of the domain (it sent all 2,100), nor only the preview's."""
        manager = role_user(self.env, "sms_manager", "bulk_manager")
        self.read_balance(300)
        form = self.open_over_domain(self.domain, user=manager)
        form.body = "Dashain sale: 20% off this week."
        composer = form.save()
        composer.action_send()
        self.assertIn("As an SMS manager", composer.credit_shortfall)
        composer.action_send_covered()
        self.run_queue()
        first = self.bulk.sorted("id")[:300]
        self.assertEqual(
            sorted(self.gateway.sent_numbers()), sorted(first.mapped("phone"))
        )

    def test_ticked_records_deleted_after_the_click_are_skipped(self):
        """Ticked ids are prepared a chunk of ids at a time: records deleted after
        the click, a whole chunk of them too, are skipped; every other one gets its
        row once, and the send ends prepared."""
        ticked = self.bulk[:35]
        with (
            patch(f"{COMPOSER_MODULE}.CHUNK_SIZE", 10),
            patch(f"{SEND_MODULE}.CHUNK_SIZE", 10),
        ):
            composer = self.open_composer(ticked, user=self.sms_user)
            composer.body = "Namaste"
            send = self.send_of(composer.save().action_send())
            gone = ticked[10:20] | ticked[23] | ticked[34]
            gone.unlink()
            self.run_queue()
        kept = ticked.exists()
        rows = self.messages_of(kept)
        self.assertEqual(len(kept), 23)
        self.assertEqual(sorted(rows.mapped("res_id")), kept.ids, "each once")
        self.assertEqual(
            sorted(self.gateway.sent_numbers()), sorted(kept.mapped("phone"))
        )
        self.assertEqual(send.prepared_count, 23)
        self.assertEqual(send.state, "done")

    def test_rows_written_at_once_as_create_writes_them(self):
        """The queue writes a chunk's rows in one INSERT: the same rows as
        ``create`` would write (defaults, reason code, delivery rate, dates)."""
        Message = self.env["aakash.sms.message"].sudo()
        partners = self.bulk[:3]
        partners[1].phone = "01-4412345"  # a landline: refused, a coded reason
        self.env["phone.blacklist"].sudo().add("+977" + partners[2].phone)

        def planned(ref):
            plans = Message._aakash_row_plans(
                partners, dict.fromkeys(partners.ids, "Namaste"), None, None, ref
            )
            return Message._aakash_check_plans(plans)

        created = Message.create(planned("by-create"))
        inserted = Message._aakash_insert(planned("by-insert"))
        self.env.flush_all()
        self.env.invalidate_all()
        stored = [
            name
            for name, field in Message._fields.items()
            if field.store
            and name not in ("id", "send_ref", "create_date", "write_date")
        ]

        def values(rows):
            return [
                {name: value for name, value in row.items() if name != "id"}
                for row in rows.read(stored, load=None)
            ]

        self.assertEqual(values(inserted), values(created))
        self.assertEqual(inserted.mapped("state"), ["pending", "rejected", "rejected"])
        self.assertTrue(inserted[1].reason_code)
        self.assertEqual(inserted.user_id, self.env.user)
        self.assertTrue(all(inserted.mapped("create_date")))

    def test_a_large_send_carries_the_opt_out_link(self):
        """Asked in the wizard, each recipient's own link ends its text, as in a
        small bulk send."""
        with patch(f"{COMPOSER_MODULE}.CHUNK_SIZE", 100):
            composer = self.open_composer(self.bulk[:150], user=self.sms_user)
            composer.body = "Namaste"
            composer.opt_out_link = True
            send = self.send_of(composer.save().action_send())
        self.run_queue()
        rows = self.messages_of(self.bulk[:150])
        self.assertEqual(len(rows), 150)
        links = self.env["aakash.sms.opt.out"]
        for row in rows[:3]:
            self.assertEqual(row.body, links._append("Namaste", row.number))
            self.assertIn(links._token(row.number), row.body)
        self.assertTrue(send.opt_out)

    def test_small_selection_keeps_the_immediate_send(self):
        composer = self.open_composer(self.bulk[:2], user=self.sms_user)
        composer.body = "Namaste"
        composer.save().action_send()
        self.assertFalse(self.env["aakash.sms.send"].search([]))
        self.assertEqual(len(self.gateway.sent_numbers()), 2)

    def test_the_queue_keeps_within_its_time_budget(self):
        """A tight cron time budget (as ``limit_time_real_cron`` asks): each run stops
        preparing at half its budget and sending at its end, the next goes on; in the
        end every row has an outcome, no number twice."""
        composer = self.open_over_domain(self.domain, user=self.sms_user)
        composer.body = "Budget"
        send = self.send_of(composer.save().action_send())
        budget = 0.5
        # each request takes 0.25 s: the sending alone needs three runs (6 rounds of 4
        # requests; without latency the sandbox answers at once)
        self.patch(self.gateway, "latency", 0.25)
        runs = 0
        prepared = []

        def commit_progress(cron, processed=0, **_kw):
            # the cron's budget left (Odoo's _commit_progress in a cron)
            return max(cron.env.context["cron_end_time"] - time.monotonic(), 0)

        with (
            patch(f"{SEND_MODULE}.CHUNK_SIZE", 300),
            patch.object(
                type(self.env["ir.cron"]), "_commit_progress", commit_progress
            ),
        ):
            while runs < 200 and (
                send.state == "preparing"
                or self.messages_of(self.bulk).filtered(
                    lambda m: m.state in ("pending", "sending")
                )
            ):
                deadline = time.monotonic() + budget
                with patch.object(self.env.cr, "commit", lambda: None):
                    self.env["aakash.sms.message"].with_context(
                        cron_end_time=deadline
                    )._cron_send()
                runs += 1
                prepared.append(send.prepared_count)
        self.assertLess(prepared[0], 2100, "a run stops preparing within its budget")
        self.assertGreater(runs, 2, "the work took several runs")
        rows = self.messages_of(self.bulk)
        self.assertEqual(len(rows), 2100)
        self.assertEqual(set(rows.mapped("state")), {"queued"})
        sent = self.gateway.sent_numbers()
        self.assertEqual(len(sent), len(set(sent)), "no number twice")
        self.assertEqual(len(sent), 2100)
        # (2,100 is 7 chunks of 300: the last run of the preparation finds none left)
        self.assertEqual(send.state, "done")


@tagged("post_install", "-at_install")
class TestLargeSendRights(LargeSendMixin, CompanyBMixin, AakashSmsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.employee = role_user(cls.env, "employee", "plain_employee")
        cls.portal = role_user(cls.env, "portal", "portal_customer")
        cls.ours = cls.bulk_contacts("Rights Customer", 30, company=cls.company)
        cls.theirs = cls.bulk_contacts(
            "Rights Customer", 20, company=cls.company_b, first=100
        )
        cls.domain = [("name", "=like", "Rights Customer %")]

    def test_only_sms_users_record_sends(self):
        for user in (self.employee, self.portal):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env(user=user)["aakash.sms.send"].create(
                    {
                        "name": "mine",
                        "res_model": "res.partner",
                        "res_domain": "[]",
                        "company_id": self.company.id,
                        "user_id": user.id,
                    }
                )
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.open_over_domain(self.domain, user=user)

    def test_documents_read_with_the_senders_rights(self):
        """The preparation reads the documents as the sender: records of a company
        they do not work in are not texted, even if the send says so."""
        composer = self.open_over_domain(self.domain, user=self.sms_user)
        composer.body = "Namaste"
        send = self.send_of(composer.save().action_send())
        self.assertEqual(send.total_count, 30)
        # even a send covering every contact reads only what its sender may read
        send.sudo().res_domain = repr(self.domain)
        send.sudo().max_res_id = 0
        self.run_queue()
        self.assertEqual(len(self.messages_of(self.ours)), 30)
        self.assertFalse(self.messages_of(self.theirs))

    def test_the_sender_or_a_manager_stops_a_send(self):
        composer = self.open_over_domain(self.domain, user=self.sms_user)
        composer.body = "Namaste"
        send = self.send_of(composer.save().action_send())
        colleague = new_test_user(
            self.env,
            login="sms_colleague",
            groups="base.group_user,aakash_sms.group_aakash_sms_user",
        )
        with self.assertRaises(AccessError):
            send.with_user(colleague).action_cancel()
        send.with_user(self.sms_user).action_cancel()
        self.assertEqual(send.state, "canceled")
        self.run_queue()
        self.assertFalse(self.messages_of(self.ours), "nothing prepared once stopped")

    def test_second_company_user_sends_through_its_provider(self):
        user_b = role_user(
            self.env,
            "sms_manager",
            "sms_user_b",
            company_id=self.company_b.id,
            company_ids=[self.company_b.id],
        )
        self.gateway.credits["token-b-7c41d0"] = 1000
        composer = self.open_over_domain(self.domain, user=user_b)
        composer.body = "Pokhara offer"
        send = self.send_of(composer.save().action_send())
        self.assertEqual(send.company_id, self.company_b)
        self.run_queue()
        rows = self.messages_of(self.theirs)
        self.assertEqual(len(rows), 20)
        self.assertEqual(rows.provider_id, self.provider_b)
        self.assertEqual(set(rows.mapped("state")), {"queued"})
        self.assertEqual(set(self.tokens_sent()), {"token-b-7c41d0"})
        self.assertFalse(self.messages_of(self.ours))


@tagged("post_install", "-at_install")
class TestTwoWorkersPrepare(LargeSendMixin, AakashSmsCase):
    """Two queue workers on two real connections prepare and send one large send,
    within the provider's parallel requests together."""

    def test_each_document_prepared_and_texted_once(self):
        dbname = self.env.cr.dbname
        with closing(sql_db.db_connect(dbname).cursor()) as cr:
            env = real_env(self.registry, cr)
            provider = sandbox_provider(
                env,
                self.gateway,
                "Two workers",
                batch_size=50,
                parallel_requests=2,
                timeout=10,
            )
            partners = (
                env["res.partner"]
                .with_context(tracking_disable=True)
                .create(
                    [
                        {"name": f"Twin Worker {i:04d}", "phone": f"986{i:07d}"}
                        for i in range(600)
                    ]
                )
            )
            send = env["aakash.sms.send"].create(
                {
                    "name": "two workers",
                    "res_model": "res.partner",
                    "res_domain": repr([("id", "in", partners.ids)]),
                    "total_count": 600,
                    "body": "once only",
                    "provider_id": provider.id,
                    "company_id": env.company.id,
                    "user_id": self.env.ref("base.user_admin").id,
                }
            )
            ids = {"send": send.id, "partners": partners.ids, "provider": provider.id}
            # other connections must see them
            cr.commit()  # pylint: disable=invalid-commit
        self.addCleanup(self.delete_send, dbname, ids)

        self.gateway.latency = 0.02
        self.addCleanup(setattr, self.gateway, "latency", 0)
        with patch(f"{SEND_MODULE}.CHUNK_SIZE", 50):
            errors = run_in_two_workers(
                self.registry,
                dbname,
                lambda env: env["aakash.sms.message"]._cron_send(),
                timeout=120,
            )
        self.assertFalse(errors)
        sent = self.gateway.sent_numbers()
        self.assertEqual(len(sent), 600, "every document texted")
        self.assertEqual(len(set(sent)), 600, "no number twice")
        self.assertLessEqual(
            self.gateway.peak_concurrency, 2, "the provider's limit, for both workers"
        )
        with closing(sql_db.db_connect(dbname).cursor()) as cr:
            cr.execute(
                "SELECT count(*), count(DISTINCT res_id) FROM aakash_sms_message "
                "WHERE send_id = %s",
                [ids["send"]],
            )
            self.assertEqual(cr.fetchone(), (600, 600))

    @staticmethod
    def delete_send(dbname, ids):
        delete_committed(
            dbname, ids["provider"], partner_ids=ids["partners"], send_id=ids["send"]
        )


@tagged("post_install", "-at_install")
class TestLargeServerAction(LargeSendMixin, AakashSmsCase):
    def test_action_on_many_records_is_one_send(self):
        """A server action run on more records than a chunk records one send: its
        text and recipients are the action's, prepared by the queue."""
        partners = self.bulk_contacts("Action Customer", 150)
        action = self.env["ir.actions.server"].create(
            {
                "name": "Text the contacts",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "state": "aakash_sms",
                "aakash_sms_body": "Namaste {{ object.name }}",
            }
        )
        # a user who may run the action on contacts (it needs the right to edit them)
        sender = new_test_user(
            self.env,
            login="contact_sms_user",
            groups="base.group_user,base.group_partner_manager,"
            "aakash_sms.group_aakash_sms_user",
        )
        with patch("odoo.addons.aakash_sms.models.ir_actions_server.CHUNK_SIZE", 100):
            action.with_user(sender).with_context(
                active_model="res.partner", active_ids=partners.ids
            ).run()
        self.assertFalse(self.messages_of(partners), "nothing prepared by the run")
        send = self.env["aakash.sms.send"].search(
            [("server_action_id", "=", action.id)]
        )
        self.assertRecordValues(
            send,
            [{"total_count": 150, "user_id": sender.id, "state": "preparing"}],
        )
        self.run_queue()
        rows = self.messages_of(partners)
        self.assertEqual(len(rows), 150)
        self.assertEqual(set(rows.mapped("state")), {"queued"})
        self.assertEqual(
            rows.filtered(lambda r: r.partner_id == partners[3]).body,
            "Namaste Action Customer 00003",
        )
        self.assertEqual(send.state, "done")


@tagged("post_install", "-at_install")
class TestLargeSelection(LargeSendMixin, AakashSmsCase):
    def test_a_send_over_many_explicit_ids_is_prepared(self):
        """100,000 ticked ids make a domain of several hundred KiB: stored and read
        back without Odoo's 100 KiB cap on ``ast.literal_eval`` (the send never got
        prepared: each queue run failed on it)."""
        bulk = self.bulk_contacts("Ticked Customer", 50)
        # ids as long as a big database's, most of them gone since they were ticked
        ids = bulk.ids + list(range(10**12, 10**12 + 9000))
        Partner = self.env["res.partner"].with_user(self.sms_user)
        send = self.env["aakash.sms.send"]._aakash_create_send(
            Partner,
            [("id", "in", ids)],
            {"body": "Namaste", "company_id": self.company.id},
        )
        self.assertGreater(len(send.res_domain), 100 * 1024)
        self.run_cron("aakash.sms.send", "_cron_prepare")
        self.assertEqual(send.state, "queued")
        self.assertEqual(len(self.messages_of(bulk)), 50)
