// Webhooks: the URLs the hub notifies of every transaction transition (HMAC-SHA256 signed). The
// signing secret is shown once, when the webhook is added.
import { h, table, when } from '../dom.js';
import { actionButton, createForm } from './form.js';

function removeButton(ctx, hook) {
  if (!ctx.may('DELETE', '/v1/webhooks/:id')) return '';
  return actionButton(
    ctx,
    'Remove',
    { class: 'remove-webhook', 'data-webhook': hook.id },
    async () => {
      await ctx.request('DELETE', `/v1/webhooks/${hook.id}`);
      return `Removed the webhook to ${hook.url}.`;
    },
  );
}

function addForm(ctx) {
  const secret = h('pre', { id: 'webhook-secret', hidden: true });
  const form = createForm(ctx, {
    id: 'new-webhook',
    title: 'Add a webhook',
    submitLabel: 'Add',
    fields: [['url', 'URL (http:// or https://)', h('input', { required: true, type: 'url' })]],
    async onSubmit(v) {
      const hook = await ctx.request('POST', '/v1/webhooks', v);
      secret.hidden = false;
      secret.textContent = hook.secret;
      return `Added the webhook to ${hook.url}. Its signing secret is below: store it now, it is not shown again.`;
    },
  });
  return h('div', {}, form, secret);
}

export async function webhooksSection(ctx) {
  const { webhooks } = await ctx.request('GET', '/v1/webhooks');
  return h(
    'div',
    {},
    h(
      'div',
      { id: 'webhooks' },
      webhooks.length === 0
        ? h('p', {}, 'No webhooks.')
        : table(
            ['URL', 'since', ''],
            webhooks.map((w) => [h('code', {}, w.url), when(w.createdAt), removeButton(ctx, w)]),
          ),
    ),
    ctx.may('POST', '/v1/webhooks') ? addForm(ctx) : null,
  );
}
