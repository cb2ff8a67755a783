import {registry} from "@web/core/registry";
import {sendSmsSteps} from "@aakash_sms/../tests/tours/aakash_sms_tour";

registry.category("web_tour.tours").add("aakash_sms_invoice_tour", {
  steps: () =>
    sendSmsSteps("Your invoice is ready", [
      {
        content: "Open the Aakash send wizard from the invoice",
        trigger:
          ".o_form_view .o_statusbar_buttons button:contains('Send SMS (Aakash)')",
        run: "click",
      },
    ]),
});

registry.category("web_tour.tours").add("aakash_sms_invoice_confirm_tour", {
  steps: () => [
    {
      content: "Confirm the draft invoice",
      trigger: ".o_form_view .o_statusbar_buttons button[name=action_post]",
      run: "click",
    },
    {
      content: "The queued line is on the invoice",
      trigger: ".o-mail-Message:contains('SMS to 9841112222 queued')",
    },
    {
      content: "The smart button counts the SMS",
      trigger: ".o_form_view .oe_stat_button:contains('SMS'):contains('1')",
      run: "click",
    },
    {
      content: "It opens the log of this invoice's SMS",
      trigger: ".o_list_view .o_data_row:contains('9841112222'):contains('Waiting')",
    },
  ],
});
