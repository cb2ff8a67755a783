from odoo import api, fields, models


class SmsComposer(models.TransientModel):
    """Odoo's SMS composer renders a template once per record, as ours does.

    On one record in comment mode Odoo fills the template in for that record and then,
    the text now differing from the template, renders it again as the sending user: a
    customer named ``Hari {{ 6 * 7 }}`` got "Hari 42". The filled-in text is the
    record's data: it is sent as it is, edited or not, never rendered again (as Odoo's
    e-mail composer does on one record).
    """

    _inherit = "sms.composer"

    # precomputed with the body: a client saving the body without it still gets it
    body_rendered = fields.Boolean(
        "Template Filled In",
        compute="_compute_body",
        precompute=True,
        store=True,
        readonly=False,
        help="The message is the template already filled in for the one selected "
        "record: it is sent as it is, never filled in again.",
    )

    @api.depends("composition_mode", "res_model", "res_id", "template_id")
    # a compute method returns nothing
    def _compute_body(self):  # pylint: disable=missing-return
        super()._compute_body()
        for composer in self.filtered("template_id"):
            # Odoo's condition for filling the template in; without a template Odoo
            # keeps the body, and so its flag
            composer.body_rendered = bool(
                composer.composition_mode == "comment" and composer.res_id
            )

    def _prepare_body_values(self, records):
        if self.body_rendered:
            return dict.fromkeys(records.ids, self.body)
        return super()._prepare_body_values(records)
