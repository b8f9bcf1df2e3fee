// Vaults (keys made by DKG) and, for one vault, its accounts with their derived addresses.
import { badge, h, short, table, when } from '../dom.js';

export async function vaultsView(ctx) {
  const { vaults } = await ctx.request('GET', '/v1/vaults');
  return h(
    'section',
    { id: 'vaults' },
    h('h1', {}, 'Vaults'),
    vaults.length === 0
      ? h('p', {}, 'No vaults yet.')
      : table(
          ['name', 'algorithm', 'status', 'threshold', 'public key', 'last refresh', 'created'],
          vaults.map((v) => [
            h('a', { href: `#/vaults/${v.id}` }, v.name),
            v.algorithm,
            badge(v.status),
            v.threshold,
            short(v.publicKey, 12),
            when(v.lastRefreshAt),
            when(v.createdAt),
          ]),
        ),
  );
}

export async function vaultView(ctx, id) {
  const path = `/v1/vaults/${encodeURIComponent(id)}`;
  const v = await ctx.request('GET', path);
  const { accounts } = await ctx.request('GET', `${path}/accounts`);
  return h(
    'section',
    { id: 'vault', 'data-id': v.id },
    h('p', {}, h('a', { href: '#/vaults' }, '← all vaults')),
    h('h1', {}, `Vault ${v.name}`),
    h(
      'dl',
      {},
      h('dt', {}, 'status'),
      h('dd', {}, badge(v.status)),
      h('dt', {}, 'algorithm'),
      h('dd', {}, v.algorithm),
      h('dt', {}, 'public key'),
      h('dd', {}, h('code', {}, v.publicKey ?? '—')),
      h('dt', {}, 'threshold'),
      h('dd', {}, v.threshold),
    ),
    h('h2', {}, 'Accounts'),
    accounts.length === 0
      ? h('p', {}, 'No accounts.')
      : table(
          ['name', 'path', 'address', 'public key'],
          accounts.map((a) => [
            a.name,
            h('code', {}, a.path),
            h('code', {}, a.address),
            short(a.publicKey, 12),
          ]),
        ),
  );
}
