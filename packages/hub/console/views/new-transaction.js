// Submitting a transaction from the console: a message or a raw digest to sign, from one account
// of an active vault, with the asset, amount and destination the policy decides on. (EVM, PSBT
// and Solana payloads need the unsigned transaction bytes: use the SDK or `quorate tx create`.)
import { h } from '../dom.js';
import { choice, createForm } from './form.js';

export async function newTransactionForm(ctx) {
  const { vaults } = await ctx.request('GET', '/v1/vaults');
  const active = vaults.filter((v) => v.status === 'ACTIVE');
  if (active.length === 0) return h('p', {}, 'No active vault to sign with yet.');
  const vault = choice(active.map((v) => [v.id, `${v.name} (${v.algorithm})`]));
  const account = h('select', {});
  const loadAccounts = async () => {
    try {
      const { accounts } = await ctx.request('GET', `/v1/vaults/${vault.value}/accounts`);
      account.replaceChildren(
        ...accounts.map((a) => h('option', { value: a.id }, `${a.name} ${a.path} ${a.address}`)),
      );
    } catch (e) {
      ctx.fail(e);
    }
  };
  vault.addEventListener('change', loadAccounts);
  await loadAccounts();
  const kind = choice([
    ['message', 'a message (text)'],
    ['raw', 'a raw digest (hex)'],
  ]);
  const content = h('textarea', { required: true, spellcheck: 'false' });
  const optional = () => h('input', {});
  return createForm(ctx, {
    id: 'new-transaction',
    title: 'New transaction',
    submitLabel: 'Submit',
    fields: [
      ['vaultId', 'vault', vault],
      ['accountId', 'account', account],
      ['kind', 'sign', kind],
      ['content', 'message or digest', content],
      ['asset', 'asset (for the policy)', optional()],
      ['amount', 'amount', optional()],
      ['destination', 'destination', optional()],
      ['note', 'note', optional()],
    ],
    async onSubmit(v) {
      const body = {
        vaultId: v.vaultId,
        accountId: v.accountId,
        payload:
          v.kind === 'raw'
            ? { type: 'raw', digest: v.content.replace(/^0x/, '') }
            : { type: 'message', message: v.content },
      };
      for (const k of ['asset', 'amount', 'destination', 'note']) if (v[k] !== '') body[k] = v[k];
      const t = await ctx.request('POST', '/v1/transactions', body);
      location.hash = `#/transactions/${t.id}`;
      return `Submitted: the transaction is ${t.status}${t.policy ? ` (${t.policy.reason})` : ''}.`;
    },
  });
}
