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

/** A mistake in what the user typed, found before any request: nothing changed, nothing to reload. */
export class InputError extends Error {}

/**
 * A button that runs one request: disabled while it runs, its outcome on the status line (run()
 * returns the text; a refusal shows what to do next), then the view reloads to show the state
 * now, unless `reload` is false or the input was refused before any request (InputError).
 */
export function actionButton(ctx, label, attrs, run, { reload = true } = {}) {
  const button = h(
    'button',
    {
      type: 'button',
      ...attrs,
      onclick: async () => {
        button.disabled = true;
        try {
          ctx.ok(await run());
        } catch (e) {
          ctx.fail(e);
          if (e instanceof InputError) {
            button.disabled = false;
            return;
          }
        }
        if (reload) ctx.rerender();
      },
    },
    label,
  );
  return button;
}

/**
 * A JSON document edited as text and proposed as a configuration change: `send(doc)` makes the
 * request and returns the change; the status line says it waits for approval.
 */
export function proposalEditor(ctx, { id, title, what, label, value, send }) {
  const text = h('textarea', { required: true, spellcheck: 'false', rows: 16 });
  text.value = JSON.stringify(value, null, 2);
  return createForm(ctx, {
    id,
    title,
    submitLabel: 'Propose',
    fields: [['document', label, text]],
    async onSubmit(v) {
      let doc;
      try {
        doc = JSON.parse(v.document);
      } catch (e) {
        throw new InputError(
          `The ${what} is not valid JSON (${e.message}). Correct it and propose again.`,
        );
      }
      const change = await send(doc);
      return `Proposed: change ${change.id} is ${change.status}; it takes effect once approved (see Changes).`;
    },
  });
}
