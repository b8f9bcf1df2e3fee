// Vaults (keys made by DKG) and, for one vault, its accounts with their derived addresses.
import { badge, h, short, table, when } from '../dom.js';
import { InputError, actionButton, choice, createForm, proposalEditor } from './form.js';
import { committeeOf, schemaSection } from './schema.js';

function newVaultForm(ctx) {
  return createForm(ctx, {
    id: 'new-vault',
    title: 'New vault (a key made by distributed key generation)',
    submitLabel: 'Create',
    fields: [
      ['name', 'name', h('input', { required: true })],
      [
        'algorithm',
        'algorithm',
        choice([
          ['ecdsa-secp256k1', 'ECDSA secp256k1 (CGGMP21): EVM, Bitcoin'],
          ['eddsa-ed25519', 'EdDSA Ed25519 (FROST): Solana'],
          ['schnorr-bip340', 'Schnorr BIP340 (FROST): Taproot'],
        ]),
      ],
      [
        'refresh',
        'refresh the shares every (days, empty: never)',
        h('input', { inputmode: 'numeric' }),
      ],
    ],
    async onSubmit(v) {
      const body = { name: v.name, algorithm: v.algorithm };
      if (v.refresh !== '') {
        const days = Number(v.refresh);
        if (!Number.isFinite(days) || days <= 0)
          throw new InputError(
            'Give the refresh interval in days (a positive number), or leave it empty.',
          );
        body.refreshIntervalSeconds = Math.round(days * 86400);
      }
      const created = await ctx.request('POST', '/v1/vaults', body);
      ctx.rerender();
      return `Vault ${created.name} is ${created.status}: the co-signers are generating its key.`;
    },
  });
}

function newAccountForm(ctx, vaultId) {
  return createForm(ctx, {
    id: 'new-account',
    title: 'New account',
    submitLabel: 'Add',
    fields: [
      ['name', 'name', h('input', { required: true })],
      [
        'path',
        'derivation path (non-hardened)',
        h('input', { required: true, placeholder: 'm/44/60/0/0/0' }),
      ],
    ],
    async onSubmit(v) {
      const a = await ctx.request('POST', `/v1/vaults/${vaultId}/accounts`, v);
      ctx.rerender();
      return `Account ${a.name} added: ${a.address}.`;
    },
  });
}

function refreshButton(ctx, v) {
  const run = async () => {
    await ctx.request('POST', `/v1/vaults/${v.id}/refresh`);
    return `Refresh of ${v.name} started: new shares for the same key.`;
  };
  return h(
    'div',
    { class: 'actions' },
    actionButton(ctx, 'Refresh the shares now', { id: 'refresh-vault' }, run),
  );
}

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
    ctx.may('POST', '/v1/vaults') ? newVaultForm(ctx) : null,
  );
}

export async function vaultView(ctx, id) {
  const path = `/v1/vaults/${encodeURIComponent(id)}`;
  const v = await ctx.request('GET', path);
  const [{ accounts }, { committee }, { cosigners }] = await Promise.all([
    ctx.request('GET', `${path}/accounts`),
    ctx.request('GET', `${path}/committee`),
    ctx.request('GET', '/v1/cosigners'),
  ]);
  const names = new Map(cosigners.map((c) => [c.id, c.name]));
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
    v.status === 'ACTIVE' && ctx.may('POST', '/v1/vaults/:id/refresh')
      ? refreshButton(ctx, v)
      : null,
    h('h2', {}, 'Committee'),
    schemaSection(committee, names),
    v.status === 'ACTIVE' && ctx.may('POST', '/v1/vaults/:id/reshare')
      ? proposalEditor(ctx, {
          id: 'propose-reshare',
          title: 'Propose a reshare: the same key to a new committee',
          what: 'committee',
          label:
            'the new committee: a co-signer staying keeps its party id, a new one takes an unused id',
          value: committeeOf(committee),
          send: (doc) => ctx.request('POST', `/v1/vaults/${v.id}/reshare`, doc),
        })
      : null,
    h('h2', {}, 'Accounts'),
    h(
      'div',
      { id: 'accounts' },
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
    ),
    v.status === 'ACTIVE' && ctx.may('POST', '/v1/vaults/:id/accounts')
      ? newAccountForm(ctx, v.id)
      : null,
  );
}
