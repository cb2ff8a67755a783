import { registry } from "@web/core/registry";

function sendSmsSteps(text) {
    return [
        {
            content: "Open the Aakash send wizard",
            trigger: ".o_form_view button:contains('Send SMS')",
            run: "click",
        },
        {
            content: "The recipient preview lists a valid number",
            trigger: ".modal .o_field_one2many .o_data_row:contains('98')",
        },
        {
            content: "Type the text",
            trigger: ".modal .o_field_widget[name=body] textarea",
            run: `edit ${text}`,
        },
        {
            content: "Send",
            trigger: ".modal-footer button.btn-primary:contains('Send SMS')",
            run: "click",
        },
        {
            content: "The per-recipient result is in the chatter",
            trigger: `.o-mail-Message:contains('SMS via Aakash'):contains('${text}'):contains('Accepted by Aakash')`,
        },
    ];
}

registry.category("web_tour.tours").add("aakash_sms_partner_tour", {
    steps: () => sendSmsSteps("Namaste from the partner tour"),
});

registry.category("web_tour.tours").add("aakash_sms_invoice_tour", {
    steps: () => sendSmsSteps("Your invoice is ready"),
});
