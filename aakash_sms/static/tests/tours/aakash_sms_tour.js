import {registry} from "@web/core/registry";

const LONG_TEXT = "This text is far too long for ten SMS parts. ".repeat(40);

function openAakashAction() {
  return [
    {
      content: "Open the Actions menu",
      trigger: ".o_cp_action_menus button:has(.fa-cog)",
      run: "click",
    },
    {
      content: "One Send SMS (the company sends Odoo's SMS through Aakash): Aakash's",
      trigger: ".o-dropdown-item:contains('Send SMS')",
      run() {
        const sends = [...document.querySelectorAll(".o-dropdown-item")].filter(
          (item) => item.textContent.includes("SMS")
        );
        if (sends.length !== 1 || sends[0].textContent.trim() !== "Send SMS") {
          throw new Error(
            `expected one "Send SMS", found: ${sends.map((s) => s.textContent.trim())}`
          );
        }
        this.anchor.click();
      },
    },
  ];
}

// the invoice tours of aakash_sms_account send the same way
export function sendSmsSteps(text, openSteps) {
  return [
    ...openSteps,
    {
      content: "The recipient preview lists a valid number",
      trigger:
        ".modal .o_field_one2many .o_data_row:contains('98'):contains('will be texted')",
    },
    {
      content: "Type the text",
      trigger: ".modal .o_field_widget[name=body] textarea",
      run: `edit ${text}`,
    },
    {
      content: "One counter, with the credits in words",
      trigger:
        ".modal .o_aakash_sms_counter:contains('1 SMS part per recipient'):contains('about 1 credit for 1 recipient')",
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
  steps: () => sendSmsSteps("Namaste from the partner tour", openAakashAction()),
});

// a plain SMS user of a Nepali company: the phone field's SMS button opens the
// Aakash wizard, and the Actions menu holds one "Send SMS"
registry.category("web_tour.tours").add("aakash_sms_first_hour_tour", {
  steps: () => [
    {
      content: "The SMS button of the phone field",
      trigger: ".o_field_phone .o_field_phone_sms",
      run: "click",
    },
    {
      content: "It opens the Aakash wizard, with its recipient preview",
      trigger:
        ".modal .o_field_one2many .o_data_row:contains('Sita Gurung'):contains('will be texted')",
    },
    {
      content: "Close it",
      trigger: ".modal-footer button:contains('Cancel')",
      run: "click",
    },
    ...sendSmsSteps("Namaste Sita, your tea is ready", openAakashAction()),
  ],
});

registry.category("web_tour.tours").add("aakash_sms_bulk_template_tour", {
  steps: () => [
    {
      content: "The three tour customers are listed",
      trigger: ".o_list_view .o_data_row:contains('Tour Bulk C')",
    },
    {
      content: "Select them all",
      trigger: ".o_list_view thead .o_list_record_selector input",
      run: "click",
    },
    ...openAakashAction(),
    {
      content: "Three recipients will be texted",
      trigger: ".modal .o_field_widget[name=valid_count]:contains('3')",
    },
    {
      content: "Choose the template",
      trigger: ".modal .o_field_widget[name=template_id] input",
      run: "edit Tour greeting",
    },
    {
      content: "Pick it",
      trigger: ".o-autocomplete--dropdown-item:contains('Tour greeting')",
      run: "click",
    },
    {
      content: "The text as the first customer will receive it, placeholders rendered",
      trigger:
        ".modal .o_field_widget[name=preview_body]:contains('Namaste Tour Bulk A, your order is ready.')",
    },
    {
      content:
        "One counter only (Odoo's SMS counter is not shown), credits summed over the recipients",
      trigger:
        ".modal .o_aakash_sms_counter:contains('about 3 credits for 3 recipients')",
      run() {
        const counters = document.querySelectorAll(
          ".modal .o_aakash_sms_counter, .modal .o_sms_count"
        );
        if (counters.length !== 1) {
          throw new Error(`expected one counter, found ${counters.length}`);
        }
      },
    },
    {
      content: "The template source, with its placeholders, is right below",
      trigger: ".modal .o_field_widget[name=body] textarea",
      run() {
        if (!this.anchor.value.includes("{{ object.name }}")) {
          throw new Error("the source is not shown");
        }
      },
    },
    {
      content: "Make the text far too long (pasted: typing it takes a minute)",
      trigger: ".modal .o_field_widget[name=body] textarea",
      run() {
        this.anchor.value = `${LONG_TEXT}{{ object.name }}`;
        this.anchor.dispatchEvent(new Event("input", {bubbles: true}));
      },
    },
    {
      content: "Send is not offered, and the reason is shown",
      trigger: ".modal-footer .o_aakash_sms_blocker:contains('too long')",
      run() {
        if (document.querySelector(".modal-footer button[name=action_send]")) {
          throw new Error("Send is still offered for a text over 10 parts");
        }
      },
    },
    {
      content: "A reasonable personal text",
      trigger: ".modal .o_field_widget[name=body] textarea",
      run: "edit Dear {{ object.name }}, thank you.",
    },
    {
      content: "Send is offered again",
      trigger: ".modal-footer button[name=action_send]:contains('Send SMS')",
      run: "click",
    },
    {
      content:
        "Three different texts are queued; the notification opens this send in the log",
      trigger:
        ".o_notification:contains('SMS queued') .o_notification_buttons button:contains('Open in SMS Log')",
      run: "click",
    },
    {
      content: "The log shows this send, named in words",
      trigger: ".o_breadcrumb:contains('3 recipients')",
    },
    {
      content: "Its three rows",
      trigger:
        ".o_list_view:has(.o_data_row:contains('Tour Bulk C')):has(.o_data_row:contains('Tour Bulk A'))",
    },
  ],
});
