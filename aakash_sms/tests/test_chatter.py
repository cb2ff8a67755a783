"""The chatter note of a send: a QWeb template, in the sender's language."""

from unittest.mock import patch

from odoo.tests import Form, tagged

from ..models import sending_queue
from ..models.aakash_sms_message import AakashSmsMessage
from ..models.sending_queue import SmsQueue
from .common import AakashSmsCase, load_nepali


@tagged("post_install", "-at_install")
class TestChatterNote(AakashSmsCase):
    def send_to(self, partner, lang, text="Namaste <b>Ram</b> & co"):
        composer = Form(
            self.env["aakash.sms.composer"].with_context(
                lang=lang, active_model="res.partner", active_ids=partner.ids
            )
        )
        composer.body = text
        composer.save().action_send()
        self.run_queue()
        return self.messages_of(partner)

    def test_one_line_per_recipient_with_a_link_to_the_log(self):
        ram = self.env["res.partner"].create({"name": "Ram", "phone": "9812345678"})
        message = self.send_to(ram, "en_US")
        body = message.mail_message_id.body
        self.assertIn("SMS via Aakash:", body)
        self.assertIn(f'href="/odoo/aakash.sms.message/{message.id}"', body)
        self.assertIn("9812345678</a> (Ram): Accepted by Aakash, Ncell", body)
        self.assertIn("Namaste &lt;b&gt;Ram&lt;/b&gt; &amp; co", body, "text escaped")

    def test_credits_are_whole_numbers(self):
        ram = self.env["res.partner"].create({"name": "Ram", "phone": "9812345678"})
        message = self.send_to(ram, "en_US", "Namaste " * 30)
        self.assertEqual(message.credits, 2)
        body = message.mail_message_id.body
        self.assertIn("2 credits", body)
        self.assertNotIn("2.0", body)

    def test_the_note_is_in_the_senders_language(self):
        load_nepali(self.env)
        ram = self.env["res.partner"].create({"name": "Ram", "phone": "9812345678"})
        body = self.send_to(ram, "ne_NP").mail_message_id.body
        self.assertIn("Aakash मार्फत SMS:", body)


@tagged("post_install", "-at_install")
class TestNotesAfterSending(AakashSmsCase):
    """The sending first (issue #24): the queue writes the chatter notes only when no
    request can leave, and a run whose time budget ends leaves them to the next run.
    """

    def setUp(self):
        super().setUp()
        self.provider.sudo().write({"batch_size": 2, "parallel_requests": 2})
        self.partners = self.env["res.partner"].create(
            [{"name": f"Sita {i}", "phone": f"98{i:08d}"} for i in range(12)]
        )
        composer = self.open_composer(self.partners)
        composer.body = "Tihar offer"
        composer.save().action_send()
        self.rows = self.messages_of(self.partners)
        self.assertEqual(set(self.rows.mapped("state")), {"pending"})

    def notes_of(self, partner):
        return self.env["mail.message"].search(
            [
                ("model", "=", "res.partner"),
                ("res_id", "=", partner.id),
                ("body", "ilike", "SMS via Aakash"),
            ]
        )

    def test_no_note_while_a_request_could_leave(self):
        # the cron's own order (its time budget is under EARLY_LAUNCH_MARGIN): an
        # outcome is written before the freed request leaves
        self.patch(sending_queue, "EARLY_LAUNCH_MARGIN", float("inf"))
        # notes written by chunks of 2 while requests are at the gateway
        patcher = patch.object(sending_queue, "NOTE_CHUNK_WAITING", 2, create=True)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.gateway.latency = 0.2
        self.addCleanup(setattr, self.gateway, "latency", 0)
        queues, seen = [], []
        run, post_results = SmsQueue.run, AakashSmsMessage._post_results

        def watched_run(queue):
            queues.append(queue)
            return run(queue)

        def watched_post_results(rows, messages=None, **kwargs):
            pending = self.env["aakash.sms.message"].search_count(
                [("id", "in", self.rows.ids), ("state", "=", "pending")]
            )
            seen.append((len(queues[-1].in_flight), pending))
            return post_results(rows, messages, **kwargs)

        self.patch(SmsQueue, "run", watched_run)
        self.patch(AakashSmsMessage, "_post_results", watched_post_results)
        self.run_queue()

        self.assertEqual(set(self.rows.mapped("state")), {"queued"})
        self.assertTrue(seen, "notes were written")
        for in_flight, pending in seen:
            # both requests at the gateway, or nothing left to send
            self.assertTrue(
                in_flight == 2 or not pending,
                f"a note written with {in_flight} request(s) at the gateway and "
                f"{pending} row(s) waiting",
            )
        self.assertIn(2, [in_flight for in_flight, _pending in seen], "some meanwhile")
        for partner, row in zip(self.partners, self.rows, strict=True):
            self.assertEqual(self.notes_of(partner), row.mail_message_id)
        self.assertFalse(self.rows.filtered("note_due"))

    def test_notes_a_run_had_no_time_for_are_written_once_by_the_next(self):
        record = SmsQueue._record

        def record_then_out_of_time(queue, outcomes):
            record(queue, outcomes)
            queue.time_left = 0  # the cron's time budget ends with this outcome

        with patch.object(SmsQueue, "_record", record_then_out_of_time):
            self.run_queue()
        sent = self.rows.filtered(lambda m: m.state == "queued")
        self.assertTrue(sent, "outcomes recorded")
        self.assertIn("pending", self.rows.mapped("state"), "the run was cut short")
        self.assertFalse(sent.mail_message_id, "no time left for the notes")
        self.assertEqual(set(sent.mapped("note_due")), {True}, "left to the next run")
        self.assertFalse(sum(len(self.notes_of(p)) for p in self.partners))

        self.run_queue()
        self.assertEqual(set(self.rows.mapped("state")), {"queued"})
        self.assertFalse(self.rows.filtered("note_due"))
        for partner, row in zip(self.partners, self.rows, strict=True):
            self.assertEqual(len(self.notes_of(partner)), 1, "one note each")
            self.assertEqual(self.notes_of(partner), row.mail_message_id)
        self.run_queue()
        for partner in self.partners:
            self.assertEqual(len(self.notes_of(partner)), 1, "never a note twice")
