import {SendSMSButton} from "@sms/components/sms_button/sms_button";
import {patch} from "@web/core/utils/patch";
import {status} from "@odoo/owl";
import {useService} from "@web/core/utils/hooks";

/**
 * The SMS button of phone fields opens the Aakash wizard when the record's company
 * sends Odoo's SMS through Aakash (the server decides:
 * aakash.sms.composer.action_open_for_phone_field); Odoo's composer otherwise.
 */
patch(SendSMSButton.prototype, {
  setup() {
    super.setup(...arguments);
    this.orm = useService("orm");
  },
  async onClick() {
    await this.props.record.save();
    const action = await this.orm.call(
      "aakash.sms.composer",
      "action_open_for_phone_field",
      [this.props.record.resModel, this.props.record.resId]
    );
    if (!action) {
      return super.onClick(...arguments);
    }
    return this.action.doAction(action, {
      onClose: () => {
        if (status(this) !== "destroyed") {
          this.props.record.load();
        }
      },
    });
  },
});
