import {WarningDialog} from "@web/core/errors/error_dialogs";
import {registry} from "@web/core/registry";

/**
 * The dialog of aakash_sms.exceptions.TitledUserError: titled for what happened
 * ("Nothing to Resend"), not "Invalid Operation".
 */
export class AakashSmsTitledErrorDialog extends WarningDialog {
  inferTitle() {
    return this.props.data?.context?.title || super.inferTitle();
  }
}

registry
  .category("error_dialogs")
  .add("aakash_sms.titled_user_error", AakashSmsTitledErrorDialog);
