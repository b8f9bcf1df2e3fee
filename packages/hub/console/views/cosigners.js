// Co-signers: each paired co-signer's health (online only on a heartbeat to this hub process),
// last contact, API users, callback handlers and certificate; refreshed every 5 s.
import { badge, h, short, table, when } from '../dom.js';

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
  const load = async () => {
    try {
      const { cosigners } = await ctx.request('GET', '/v1/cosigners');
      if (!ctx.current()) return;
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
    } catch (e) {
      ctx.fail(e);
    }
  };
  await load();
  ctx.every(5000, load);
  return h('section', {}, h('h1', {}, 'Co-signers'), body);
}
