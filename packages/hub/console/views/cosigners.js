// Co-signers: each paired co-signer's health (online only on a heartbeat to this hub process),
// last contact, API users, callback handlers and certificate; refreshed every 5 s.
import { badge, h, short, table, when } from '../dom.js';
import { choice, createForm } from './form.js';

function rows(cosigners) {
  return cosigners.map((c) => [
    c.name,
    short(c.id, 8),
    badge(c.status),
    badge(c.health),
    when(c.lastSeenAt),
    c.apiUserIds.length,
    c.callbackHandlers.map((x) => h('div', {}, h('code', {}, x.url))),
    short(c.certificateFingerprint, 8),
  ]);
}

export async function cosignersView(ctx) {
  const body = h('div', { id: 'cosigners' });
  const render = (cosigners) =>
    body.replaceChildren(
      cosigners.length === 0
        ? h('p', {}, 'No co-signer is paired yet: see docs/cosigner-operator.md.')
        : table(
            [
              'name',
              'id',
              'status',
              'health',
              'last seen',
              'API users',
              'callback handlers',
              'certificate',
            ],
            rows(cosigners),
          ),
    );
  const { cosigners } = await ctx.request('GET', '/v1/cosigners');
  render(cosigners);
  ctx.every(5000, async () => {
    try {
      const now = await ctx.request('GET', '/v1/cosigners');
      if (ctx.current()) render(now.cosigners);
    } catch (e) {
      ctx.fail(e);
    }
  });
  // The forms sit outside the refreshed table, so a refresh never clears what is being typed.
  const active = cosigners.filter((c) => c.status === 'active');
  const pick = () => choice(active.map((c) => [c.id, `${c.name} (${c.id.slice(0, 8)}…)`]));
  return h(
    'section',
    {},
    h('h1', {}, 'Co-signers'),
    body,
    active.length > 0 && ctx.may('PATCH', '/v1/cosigners/:id') ? renameForm(ctx, pick()) : null,
    active.length > 0 && ctx.may('DELETE', '/v1/cosigners/:id') ? unpairForm(ctx, pick()) : null,
  );
}

function renameForm(ctx, cosigner) {
  return createForm(ctx, {
    id: 'rename-cosigner',
    title: 'Rename a co-signer',
    submitLabel: 'Rename',
    fields: [
      ['id', 'co-signer', cosigner],
      ['name', 'new name', h('input', { required: true })],
    ],
    async onSubmit(v) {
      const c = await ctx.request('PATCH', `/v1/cosigners/${v.id}`, { name: v.name });
      ctx.rerender();
      return `Renamed: ${c.id} is now ${c.name}.`;
    },
  });
}

function unpairForm(ctx, cosigner) {
  return createForm(ctx, {
    id: 'unpair-cosigner',
    title: 'Unpair a co-signer (a configuration change the owner or an admin approves)',
    submitLabel: 'Propose unpairing',
    fields: [['id', 'co-signer', cosigner]],
    async onSubmit(v) {
      const change = await ctx.request('DELETE', `/v1/cosigners/${v.id}`);
      return `Unpairing proposed: change ${change.id} is ${change.status}.`;
    },
  });
}
