import threading
from contextlib import closing
from unittest.mock import patch
from urllib.parse import urlsplit

from odoo import SUPERUSER_ID, api, sql_db
from odoo.orm.environments import Transaction
from odoo.tests import Form, common, new_test_user
from odoo.tools import SQL

from aakash_sms_sandbox import SandboxGateway

TOKEN = "test-token-5f1c2b9e8d7a"
# The automation-rule tests need base_automation, which the addon does not depend on:
# they run where it is installed (./run-tests' full database) and are skipped with this
# reason elsewhere (scripts/odoo_suite.py --allow-skip tolerates exactly this one).
NO_BASE_AUTOMATION = "base_automation is not installed: automation rules not tested"
# The few tests at scale (thousands of rows, a minute of CI between them) run once, in
# the full database (./run-tests' second suite); the core-alone suite skips them with
# this reason, which scripts/odoo_suite.py --allow-skip tolerates there.
SCALE_TEST = "scale test: run in the full database (with account), not in core alone"
# the groups of the users the tests act as
ROLES = {
    "admin": "base.group_user,base.group_system",
    "sms_manager": "base.group_user,aakash_sms.group_aakash_sms_manager",
    # an employee with a business role but no Aakash group (Odoo's right to edit
    # contacts; an accountant in aakash_sms_account's tests)
    "contact_manager": "base.group_user,base.group_partner_manager",
    "employee": "base.group_user",
    "portal": "base.group_portal",
}


def role_user(env, role, login, **values):
    """A user of one of the ``ROLES`` (``values``: name, company_id ...)."""
    return new_test_user(env, login=login, groups=ROLES[role], **values)


def load_nepali(env):
    """Activate Nepali and load this addon's Nepali translations."""
    env["res.lang"]._activate_lang("ne_NP")
    env["ir.module.module"].search([("name", "=", "aakash_sms")])._update_translations(
        ["ne_NP"]
    )


def real_env(registry, cr, uid=SUPERUSER_ID):
    """An environment on ``cr``, a real second connection of the test database.

    The registry is handed over: ``Registry(dbname)`` would wait on the registry lock
    that the test runner holds.
    """
    cr.transaction = Transaction(registry)
    return api.Environment(cr, uid, {})


def run_in_two_workers(registry, dbname, job, timeout=60):
    """Run ``job(env)`` at once in two threads, each on its own real connection of the
    test database (committed at the end, as a cron worker's): the exceptions raised."""
    errors = []
    start = threading.Barrier(2)

    def worker():
        try:
            with closing(sql_db.db_connect(dbname).cursor()) as cr:
                start.wait()
                job(real_env(registry, cr))
                # a worker's own connection
                cr.commit()  # pylint: disable=invalid-commit
        except Exception as exc:  # noqa: BLE001 - returned to the test
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return errors


def sandbox_provider(env, gateway, name, **values):
    """A provider sending to ``gateway`` with ``TOKEN`` unless told otherwise, created
    as the superuser (only administrators set tokens) and returned in ``env``'s rights.
    """
    values = {"auth_token": TOKEN, "timeout": 2, **values}
    provider_sudo = env["aakash.sms.provider"].sudo()
    return provider_sudo.create(
        {"name": name, "base_url": gateway.base_url, **values}
    ).sudo(False)


def pending_rows(provider, count, body, **values):
    """``count`` rows of ``provider`` waiting in the queue, as the send paths write
    them (numbers ``9800000000``, ``9800000001``...; ``values``: more of each row),
    in the provider's environment."""
    return (
        provider.env["aakash.sms.message"]
        .sudo()
        .create(
            [
                {
                    "number": f"98{i:08d}",
                    "number_raw": f"98{i:08d}",
                    "body": body,
                    "provider_id": provider.id,
                    "company_id": provider.company_id.id,
                    **values,
                }
                for i in range(count)
            ]
        )
    )


def delete_committed(dbname, provider_id, message_ids=(), partner_ids=(), send_id=None):
    """Remove what a test committed for real on another connection: the messages
    (``message_ids``, the rows of the contacts ``partner_ids``, the rows of the large
    send ``send_id``), the send, the contacts and their chatter, the provider and its
    chatter."""
    partners = tuple(partner_ids) or (0,)
    with closing(sql_db.db_connect(dbname).cursor()) as cr:
        cr.execute(
            SQL(
                """DELETE FROM aakash_sms_message
                    WHERE id IN %s OR send_id = %s
                       OR (res_model = 'res.partner' AND res_id IN %s)""",
                tuple(message_ids) or (0,),
                send_id or 0,
                partners,
            )
        )
        cr.execute(SQL("DELETE FROM aakash_sms_send WHERE id = %s", send_id or 0))
        cr.execute(
            SQL(
                """DELETE FROM mail_message
                    WHERE (model = 'res.partner' AND res_id IN %s)
                       OR (model = 'aakash.sms.provider' AND res_id = %s)""",
                partners,
                provider_id,
            )
        )
        cr.execute(SQL("DELETE FROM res_partner WHERE id IN %s", partners))
        cr.execute(SQL("DELETE FROM aakash_sms_provider WHERE id = %s", provider_id))
        # cleans up the committed rows
        cr.commit()  # pylint: disable=invalid-commit


class LoopbackMixin:
    """Requests to loopback (the sandbox gateway) go out, with the client's own
    timeouts."""

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        # Odoo's test harness raises short timeouts to 10 s (and chokes on
        # (connect, read) tuples); loopback is ours (the sandbox, or a closed
        # port), let requests through with the client's own timeouts.
        if urlsplit(r.url).hostname == "127.0.0.1":
            return common._super_send(s, r, **kw)
        return super()._request_handler(s, r, **kw)

    @classmethod
    def start_gateway(cls):
        """Start ``cls.gateway``, a sandbox gateway on a loopback port with 1,000
        credits for ``TOKEN``, stopped with the class."""
        cls.gateway = SandboxGateway(tokens={TOKEN: 1000})
        cls.gateway.start()
        cls.addClassCleanup(cls.gateway.stop)


class AakashSmsMixin(LoopbackMixin):
    """Runs against a real sandbox gateway on a loopback port."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_gateway()
        cls.company = cls.env.company
        cls.provider = sandbox_provider(
            cls.env, cls.gateway, "Aakash Sandbox", is_default=True
        )
        cls.sms_user = new_test_user(
            cls.env,
            login="sms_user",
            groups="base.group_user,aakash_sms.group_aakash_sms_user",
            name="SMS User",
        )

    @classmethod
    def contacts(cls, *people):
        """Contacts from ``(name, phone)`` pairs (``None``: no number), in order."""
        return cls.env["res.partner"].create(
            [{"name": name, "phone": phone or False} for name, phone in people]
        )

    def setUp(self):
        super().setUp()
        # the sandbox outlives each test's rollback: give every test a fresh account
        self.gateway.clear()
        self.gateway.credits = {TOKEN: 1000}
        self.gateway.ip_blocked.clear()
        self.gateway.messages.clear()

    def run_cron(self, model, method):
        """Run a cron method; its commits become no-ops inside the test transaction."""
        with patch.object(self.env.cr, "commit", lambda: None):
            return getattr(self.env[model], method)()

    def run_queue(self):
        """Run the sending queue as its cron does (commits are no-ops in the test)."""
        return self.run_cron("aakash.sms.message", "_cron_send")

    def require_full_database(self):
        """Skip the calling scale test in the core-alone database (:data:`SCALE_TEST`):
        it needs nothing of the full one, it is only not worth running twice."""
        if "account.move" not in self.env:
            self.skipTest(SCALE_TEST)

    def require_base_automation(self):
        """Skip the calling test unless base_automation (automation rules) is here."""
        if "base.automation" not in self.env:
            self.skipTest(NO_BASE_AUTOMATION)

    def sent_texts(self):
        """``[(to, text)]`` of every send request the sandbox gateway received."""
        return [
            (r.form["to"], r.form["text"])
            for r in self.gateway.requests
            if "send" in r.path
        ]

    def messages_of(self, records):
        return self.env["aakash.sms.message"].search(
            [("res_model", "=", records._name), ("res_id", "in", records.ids)],
            order="id",
        )

    def open_composer(self, records, user=None):
        """The Aakash SMS composer as opened from the list of ``records``."""
        env = self.env(user=user) if user else self.env
        ctx = {
            "active_model": records._name,
            "active_ids": records.ids,
            "active_id": records[:1].id,
        }
        return Form(env["aakash.sms.composer"].with_context(**ctx))


class AakashSmsCase(AakashSmsMixin, common.TransactionCase):
    pass


class AakashSmsHttpCase(AakashSmsMixin, common.HttpCase):
    pass
