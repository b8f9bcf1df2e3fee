// The allow-list in force, and proposals to add or remove an entry: each becomes a configuration
// change that an owner or admin approves (the Changes view).
import { h, table, when } from '../dom.js';
import { actionButton, createForm } from './form.js';

function removeButton(ctx, e) {
  if (!ctx.may('DELETE', '/v1/allowlist/:id')) return '';
  return actionButton(
    ctx,
    'Propose removal',
    { class: 'remove-entry', 'data-entry': e.id },
    async () => {
      const change = await ctx.request('DELETE', `/v1/allowlist/${e.id}`);
      return `Removal proposed: change ${change.id} is ${change.status}.`;
    },
    // The entry stays in force until the change is approved: nothing to reload.
    { reload: false },
  );
}

function proposeForm(ctx) {
  const optional = () => h('input', {});
  return createForm(ctx, {
    id: 'new-allowlist-entry',
    title: 'Propose an allow-list entry',
    submitLabel: 'Propose',
    fields: [
      ['list', 'list (empty: the default list)', optional()],
      ['asset', 'asset (empty: any)', optional()],
      ['address', 'address', h('input', { required: true })],
      ['label', 'label', h('input', { required: true })],
    ],
    async onSubmit(v) {
      const body = { address: v.address, label: v.label };
      if (v.list !== '') body.list = v.list;
      if (v.asset !== '') body.asset = v.asset;
      const change = await ctx.request('POST', '/v1/allowlist', body);
      return `Proposed: change ${change.id} is ${change.status}.`;
    },
  });
}

export async function allowlistSection(ctx) {
  const { entries } = await ctx.request('GET', '/v1/allowlist');
  return h(
    'div',
    {},
    h(
      'div',
      { id: 'allowlist' },
      entries.length === 0
        ? h('p', {}, 'The allow-list is empty.')
        : table(
            ['list', 'asset', 'address', 'label', 'approved by', 'since', ''],
            entries.map((e) => [
              e.list,
              e.asset ?? 'any',
              h('code', {}, e.address),
              e.label,
              e.approvedBy,
              when(e.createdAt),
              removeButton(ctx, e),
            ]),
          ),
    ),
    ctx.may('POST', '/v1/allowlist') ? proposeForm(ctx) : null,
  );
}
