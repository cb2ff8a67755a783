import {useEffect} from "@odoo/owl";
import {registry} from "@web/core/registry";
import {useDebounced} from "@web/core/utils/timing";
import {TextField, textField} from "@web/views/fields/text/text_field";

/**
 * A text field that tells the server what is typed while it is typed (debounced):
 * the composer's counter, credits and "Send" follow the text without leaving the field.
 */
export class AakashSmsTextField extends TextField {
  setup() {
    super.setup();
    this.commitSoon = useDebounced(() => {
      const el = this.textareaRef.el;
      if (el && el.value !== (this.props.record.data[this.props.name] || "")) {
        this.props.record.update({[this.props.name]: el.value});
      }
    }, 250);
    useEffect(
      (el) => {
        if (!el) {
          return;
        }
        const onInput = () => this.commitSoon();
        el.addEventListener("input", onInput);
        return () => el.removeEventListener("input", onInput);
      },
      () => [this.textareaRef.el]
    );
  }
}

registry
  .category("fields")
  .add("aakash_sms_text", {...textField, component: AakashSmsTextField});
