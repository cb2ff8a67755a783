from odoo import api, fields, models
from odoo.tools.misc import format_datetime


class AakashSmsMessage(models.Model):
    """A send named in words ("312 recipients · 25 Nov 12:09 · Administrator")
    wherever it shows: the log's "Send" group-by, the form, the result notification's
    log button.

    Computed when shown (not stored): counts stay right while a queued send grows or
    is resent, and the date is in the reader's time zone and language.
    """

    # pylint: disable=consider-merging-classes-inherited
    _inherit = "aakash.sms.message"

    send_name = fields.Char(
        "Send Summary",
        compute="_compute_send_name",
        help="The send this SMS belongs to: how many recipients, when, by whom.",
    )

    @api.depends("send_ref")
    def _compute_send_name(self):
        names = self._aakash_send_names(self.mapped("send_ref"))
        for message in self:
            message.send_name = names.get(message.send_ref, False)

    @api.model
    def _aakash_send_names(self, refs):
        """``{send_ref: name in words}`` for ``refs``, in one query."""
        refs = [ref for ref in set(refs) if ref]
        if not refs:
            return {}
        # the size of a send the reader sees one row of, whoever sent the rest
        messages_sudo = self.sudo()
        groups = messages_sudo._read_group(
            [("send_ref", "in", refs)],
            ["send_ref"],
            ["__count", "create_date:min", "user_id:array_agg"],
        )
        # the sender's name, as the chatter shows it
        user_ids = {uid for _ref, _count, _date, uids in groups for uid in uids if uid}
        users_sudo = self.env["res.users"].sudo().browse(user_ids).exists()
        names = {}
        for ref, count, date, user_ids in groups:
            user = users_sudo.filtered(lambda u, ids=user_ids: u.id in ids)[:1]
            recipients = (
                self.env._("1 recipient")
                if count == 1
                else self.env._("%s recipients", count)
            )
            when = format_datetime(
                self.env,
                date,
                tz=self.env.user.tz or "Asia/Kathmandu",
                dt_format="d MMM HH:mm",
            )
            names[ref] = " · ".join(filter(None, [recipients, when, user.name]))
        return names

    @api.model
    def _web_read_group_groupby_formatter(self, groupby_spec, values):
        """Group by send: the send in words, not its hexadecimal reference."""
        if groupby_spec != "send_ref":
            return super()._web_read_group_groupby_formatter(groupby_spec, values)
        names = self._aakash_send_names(values)

        def formatter_send(value):
            if not value:
                return False, [("send_ref", "=", False)]
            return names.get(value, value), [("send_ref", "=", value)]

        return formatter_send

    def _aakash_send_log_action(self):
        """The SMS log showing the rows of the send of ``self`` (one row of it)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aakash_sms.action_aakash_sms_message"
        )
        name = self.send_name or action["name"]
        action.update(
            {
                "name": name,
                "display_name": name,
                "domain": [("send_ref", "=", self.send_ref)],
                "context": {"create": False},
                "target": "current",
            }
        )
        return action
