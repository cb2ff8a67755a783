import {registry} from "@web/core/registry";

// the open notification of each queued send (send reference -> close), replaced by
// the final one when the queue is done: one notification per send at a time
const openBySend = new Map();

function showNotification(env, params) {
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
    onClose: () => {
      if (params.send_ref && openBySend.get(params.send_ref) === close) {
        openBySend.delete(params.send_ref);
      }
    },
  });
  if (params.send_ref) {
    openBySend.get(params.send_ref)?.();
    openBySend.set(params.send_ref, close);
  }
  return close;
}

/**
 * Like Odoo's "display_notification", with buttons that run an action
 * (params.buttons: [{name, action}]): the result of a send offers to open
 * this send in the SMS log.
 */
export function aakashSmsNotificationAction(env, action) {
  showNotification(env, action.params || {});
  return (action.params || {}).next;
}

registry
  .category("actions")
  .add("aakash_sms_notification", aakashSmsNotificationAction);

/**
 * "aakash_sms_send_done" (bus): the queue finished a send of this user; its
 * notification replaces the one shown when it was queued.
 */
export const aakashSmsSendDoneService = {
  dependencies: ["bus_service", "notification", "action"],
  start(env, {bus_service}) {
    bus_service.subscribe("aakash_sms_send_done", (params) => {
      showNotification(env, params);
    });
    bus_service.start();
  },
};

registry.category("services").add("aakash_sms_send_done", aakashSmsSendDoneService);
