// Users of the workspace: people and API users with their role and key. Owners and admins add a
// user (with the public key the user made; the private key never comes here), disable one, and
// make a pairing token for an API user whose co-signer is to pair.
import { badge, h, short, table, when } from '../dom.js';
import { actionButton, choice, createForm } from './form.js';

function disableButton(ctx, u) {
  if (u.disabled || u.id === ctx.me.id || !ctx.may('DELETE', '/v1/users/:id')) return '';
  return actionButton(ctx, 'Disable', { class: 'disable-user', 'data-user': u.id }, async () => {
    await ctx.request('DELETE', `/v1/users/${u.id}`);
    return `${u.name} is disabled: its key no longer signs requests.`;
  });
}

function newUserForm(ctx) {
  return createForm(ctx, {
    id: 'new-user',
    title: 'New user',
    submitLabel: 'Add user',
    fields: [
      ['name', 'name', h('input', { required: true })],
      [
        'kind',
        'kind',
        choice([
          ['human', 'a person'],
          ['api', 'an API user (a program, or a co-signer pairing)'],
        ]),
      ],
      ['role', 'role', choice(['viewer', 'signer', 'editor', 'admin'].map((r) => [r, r]))],
      [
        'publicKey',
        'public key (SPKI PEM: Ed25519, P-256 or RSA-2048)',
        h('textarea', {
          required: true,
          spellcheck: 'false',
          placeholder: '-----BEGIN PUBLIC KEY-----',
        }),
      ],
    ],
    async onSubmit(v) {
      const u = await ctx.request('POST', '/v1/users', v);
      ctx.rerender();
      return `Added ${u.name} (${u.role}): user id ${u.id}.`;
    },
  });
}

function pairingTokenForm(ctx, apiUsers) {
  const out = h('pre', { id: 'pairing-token', hidden: true });
  const form = createForm(ctx, {
    id: 'new-pairing-token',
    title: 'Pairing token for a co-signer',
    submitLabel: 'Make token',
    fields: [
      [
        'apiUserId',
        'API user the co-signer acts for',
        choice(apiUsers.map((u) => [u.id, `${u.name} (${u.role})`])),
      ],
    ],
    async onSubmit(v) {
      const t = await ctx.request('POST', '/v1/pairing-tokens', v);
      out.hidden = false;
      out.textContent = `quorate cosigner pair ${t.token}`;
      return `Token made, single use, valid until ${new Date(t.expiresAt).toLocaleString()}: give the command below to the co-signer's operator.`;
    },
  });
  return h('div', {}, form, out);
}

export async function usersSection(ctx) {
  const { users } = await ctx.request('GET', '/v1/users');
  // Only enabled API users with the role signer or admin can be paired (the hub's rule, which it
  // checks and explains on a refusal).
  const apiUsers = users.filter(
    (u) => u.kind === 'api' && !u.disabled && (u.role === 'signer' || u.role === 'admin'),
  );
  return h(
    'div',
    {},
    h(
      'div',
      { id: 'users' },
      table(
        ['name', 'id', 'kind', 'role', 'key', 'state', 'created', ''],
        users.map((u) => [
          u.name,
          short(u.id, 8),
          u.kind,
          u.role,
          u.keyAlgorithm,
          badge(u.disabled ? 'disabled' : 'active'),
          when(u.createdAt),
          disableButton(ctx, u),
        ]),
      ),
    ),
    ctx.may('POST', '/v1/users') ? newUserForm(ctx) : null,
    ctx.may('POST', '/v1/pairing-tokens') && apiUsers.length > 0
      ? pairingTokenForm(ctx, apiUsers)
      : null,
  );
}
