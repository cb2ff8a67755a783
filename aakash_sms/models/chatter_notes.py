"""The chatter note of a send: one note per document listing its recipients' outcomes.

Called by ``aakash.sms.message._post_results``; it only shows outcomes, never decides
them. The note is rendered from the QWeb template ``aakash_sms.message_sms_outcomes``
(``data/aakash_sms_chatter_templates.xml``), as ``mail`` renders its notes.
"""

from collections import defaultdict


def post_outcome_notes(rows):
    """Post one note per document and sender for the ``aakash.sms.message`` ``rows``,
    in batch: ``{row id: its note's id}`` (the caller links them).

    The note is authored by the user who sent.
    """
    env = rows.env
    rows.partner_id.mapped("display_name")  # prefetch once for all notes
    labels = {
        "states": rows._aakash_outcome_labels(),
        "credits": env._("%s credits"),
        "credit": env._("1 credit"),
        "no_number": env._("no number"),
        "fallback": env._(
            "through the fallback provider %(fallback)s (%(first)s refused)"
        ),
    }
    links = {}
    by_key = defaultdict(lambda: defaultdict(list))
    for message in rows:
        if message.res_model and message.res_id:
            by_key[message.res_model, message.user_id][message.res_id].append(
                message.id
            )
    for (model, user), by_record in by_key.items():
        Model = env[model]
        if not hasattr(Model, "_message_log_batch"):
            continue
        # the note is the engine's record of what happened: written whatever the
        # sender may edit
        records_sudo = Model.sudo().browse(list(by_record)).exists()
        group = {
            res_id: rows.browse(ids).with_prefetch(rows._prefetch_ids)
            for res_id, ids in by_record.items()
        }
        bodies = {
            record.id: render_note(group[record.id], labels) for record in records_sudo
        }
        notes = records_sudo._message_log_batch(
            bodies=bodies, author_id=user.partner_id.id or False, partner_ids=False
        )
        for note in notes:
            links.update(dict.fromkeys(group[note.res_id].ids, note.id))
    return links


def render_note(rows, labels):
    """The note of ``rows`` (one document's recipients of one send), from the QWeb
    template ``aakash_sms.message_sms_outcomes``.

    :param labels: the translated words of the note (states, credits, no number)
    """
    lines = []
    for message in rows:
        details = [labels["states"][message.state]]
        if message.network:
            details.append(message.network)
        if message.state in ("queued", "delivered") and message.credits:
            details.append(
                labels["credit"]
                if message.credits == 1
                # whole credits as whole numbers ("2 credits", not "2.0")
                else labels["credits"] % f"{message.credits:g}"
            )
        if message.reason:
            details.append(message.reason)
        if message.fallback_from_id:
            details.append(
                labels["fallback"]
                % {
                    "fallback": message.provider_id.name,
                    "first": message.fallback_from_id.name,
                }
            )
        lines.append(
            {
                "id": message.id,
                "number": message.number or message.number_raw or labels["no_number"],
                "partner": message.partner_id.display_name or "",
                "details": ", ".join(details),
            }
        )
    text = rows[:1].body or ""
    if len(text) > 160:
        text = text[:159] + "…"
    return rows.env["ir.qweb"]._render(
        "aakash_sms.message_sms_outcomes",
        {"text": text, "lines": lines},
        minimal_qcontext=True,
    )
