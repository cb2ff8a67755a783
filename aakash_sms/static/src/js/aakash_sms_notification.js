import {registry} from "@web/core/registry";

/**
 * Like Odoo's "display_notification", with buttons that run an action
 * (params.buttons: [{name, action}]): the result of a send offers to open
 * this send in the SMS log.
 */
export function aakashSmsNotificationAction(env, action) {
  const params = action.params || {};
  const notification = env.services.notification;
  const buttons = (params.buttons || []).map((button) => ({
    name: button.name,
    primary: true,
    onClick: () => {
      close();
      env.services.action.doAction(button.action);
    },
  }));
  const close = notification.add(params.message, {
    title: params.title,
    type: params.type || "info",
    sticky: params.sticky || false,
    className: "o_aakash_sms_notification",
    buttons,
  });
  return params.next;
}

registry
  .category("actions")
  .add("aakash_sms_notification", aakashSmsNotificationAction);
