// A form that creates something through the API: labelled fields, one submit button that is
// disabled while the request runs, the outcome on the status line. On a refusal the typed values
// stay, so the user can correct the field the hub named.
import { h } from '../dom.js';

/**
 * fields: [name, label, input element]; onSubmit(values) runs the request and returns the text
 * for the status line (or throws).
 */
export function createForm(ctx, { id, title, fields, submitLabel, onSubmit }) {
  const button = h('button', { type: 'submit' }, submitLabel);
  const form = h(
    'form',
    {
      id,
      class: 'create',
      onsubmit: async (ev) => {
        ev.preventDefault();
        button.disabled = true;
        const values = Object.fromEntries(
          fields.map(([name, , input]) => [name, input.value.trim()]),
        );
        try {
          ctx.ok(await onSubmit(values));
        } catch (e) {
          ctx.fail(e);
        } finally {
          button.disabled = false;
        }
      },
    },
    h('h2', {}, title),
    fields.map(([name, label, input]) => {
      input.setAttribute('name', name);
      input.setAttribute('id', `${id}-${name}`);
      return h('label', { for: `${id}-${name}` }, label, input);
    }),
    button,
  );
  return form;
}

/** A <select> of [value, label] pairs. */
export function choice(options, attrs = {}) {
  return h(
    'select',
    attrs,
    options.map(([value, label]) => h('option', { value }, label)),
  );
}
