import {registry} from "@web/core/registry";

// A customer opens the opt-out link of an SMS: the page in Nepali, the English
// version, then Stop SMS and the page saying it is done
registry.category("web_tour.tours").add("aakash_sms_opt_out_tour", {
  steps: () => [
    {
      content: "The page asks, in Nepali, before anything is done",
      trigger: ".o_aakash_sms_opt_out_confirm:contains('981****678')",
    },
    {
      content: "Switch to English",
      trigger: ".o_aakash_sms_opt_out a:contains('English')",
      run: "click",
      expectUnloadPage: true,
    },
    {
      content: "The page asks again, in English",
      trigger: ".o_aakash_sms_opt_out_confirm:contains('Stop SMS from')",
    },
    {
      content: "Confirm",
      trigger: ".o_aakash_sms_opt_out button[type=submit]:contains('Stop SMS')",
      run: "click",
      expectUnloadPage: true,
    },
    {
      content: "The page says it is done",
      trigger: ".o_aakash_sms_opt_out_done:contains('will no longer receive SMS')",
    },
  ],
});
