// Transactions: the latest 200 (filter by status, refreshed every 5 s) and one transaction with
// its policy decision, signature and every transition, with approve / reject / cancel.
import { transactionStatuses } from '../api.js';
import { badge, h, short, table, when } from '../dom.js';
import { actionButton } from './form.js';
import { newTransactionForm } from './new-transaction.js';

/** States from which the hub still accepts a cancel (before signing starts). */
const CANCELLABLE = new Set(['SUBMITTED', 'PENDING_AUTHORIZATION', 'QUEUED']);

let filter = '';

function listRows(transactions) {
  return transactions.map((t) => [
    h('a', { href: `#/transactions/${t.id}` }, short(t.id, 8)),
    badge(t.status),
    t.operation,
    t.asset ?? '—',
    t.amount ?? '—',
    t.destination === null ? '—' : short(t.destination, 8),
    t.note ?? '',
    when(t.createdAt),
  ]);
}

export async function transactionsView(ctx) {
  const body = h('div', { id: 'transactions' });
  const load = async () => {
    const q = filter === '' ? '' : `?status=${encodeURIComponent(filter)}`;
    try {
      const { transactions, next } = await ctx.request('GET', `/v1/transactions${q}`);
      if (!ctx.current()) return;
      body.replaceChildren(
        transactions.length === 0
          ? h('p', {}, 'No transactions.')
          : table(
              ['id', 'status', 'operation', 'asset', 'amount', 'destination', 'note', 'created'],
              listRows(transactions),
            ),
        next === null
          ? ''
          : h(
              'p',
              {},
              `The newest ${transactions.length} are shown: filter by status, or page further ` +
                'with the API (GET /v1/transactions?before=…) or `quorate tx list --before`.',
            ),
      );
    } catch (e) {
      ctx.fail(e);
    }
  };
  const select = h(
    'select',
    {
      id: 'status-filter',
      onchange: () => {
        filter = select.value;
        load();
      },
    },
    h('option', { value: '' }, 'every status'),
    (await transactionStatuses()).map((s) => h('option', { value: s, selected: s === filter }, s)),
  );
  await load();
  ctx.every(5000, load);
  return h(
    'section',
    {},
    h('h1', {}, 'Transactions'),
    h('label', {}, 'Show ', select),
    body,
    ctx.may('POST', '/v1/transactions') ? await newTransactionForm(ctx) : null,
  );
}

function actionButtons(ctx, t) {
  const act = (what, label) =>
    actionButton(ctx, label, { id: `tx-${what}` }, async () => {
      const after = await ctx.request('POST', `/v1/transactions/${t.id}/${what}`);
      return `${label}: the transaction is now ${after.status}.`;
    });
  const buttons = [];
  // The role decides whether a vote may be cast at all; the policy rule's approval groups then
  // decide whose vote counts, which the hub checks (and explains) on the click.
  if (t.status === 'PENDING_AUTHORIZATION' && ctx.may('POST', '/v1/transactions/:id/approve'))
    buttons.push(act('approve', 'Approve'), act('reject', 'Reject'));
  if (CANCELLABLE.has(t.status) && ctx.may('POST', '/v1/transactions/:id/cancel'))
    buttons.push(act('cancel', 'Cancel'));
  return buttons.length === 0 ? null : h('div', { class: 'actions' }, buttons);
}

function approvalsSection(approvals, nameOf) {
  if (approvals === null) return null;
  return h(
    'div',
    { id: 'approvals' },
    h('h2', {}, 'Approvals ', badge(approvals.outcome)),
    table(
      ['group', 'approved', 'needed', 'eligible', 'rejected', ''],
      approvals.groups.map((g) => [
        g.name,
        g.approvals,
        g.quorum,
        g.eligible,
        g.rejections,
        g.reached ? 'reached' : 'waiting',
      ]),
    ),
    approvals.votes.length === 0
      ? h('p', {}, 'No votes yet.')
      : table(
          ['by', 'vote', 'at'],
          approvals.votes.map((v) => [nameOf(v.approver), v.vote, when(v.at)]),
        ),
  );
}

export async function transactionView(ctx, id) {
  const [t, { users }] = await Promise.all([
    ctx.request('GET', `/v1/transactions/${encodeURIComponent(id)}`),
    ctx.request('GET', '/v1/users'),
  ]);
  const names = new Map(users.map((u) => [u.id, u.name]));
  const nameOf = (userId) => names.get(userId) ?? userId;
  const actor = (a) => (a === null ? '—' : `${a.type} ${nameOf(a.id)}`);
  return h(
    'section',
    { id: 'transaction', 'data-id': t.id },
    h('p', {}, h('a', { href: '#/transactions' }, '← all transactions')),
    h('h1', {}, 'Transaction ', h('code', {}, t.id)),
    h(
      'dl',
      {},
      h('dt', {}, 'status'),
      h('dd', {}, badge(t.status)),
      h('dt', {}, 'kind / operation'),
      h('dd', {}, `${t.kind} / ${t.operation}`),
      h('dt', {}, 'asset, amount'),
      h('dd', {}, `${t.asset ?? '—'} ${t.amount ?? ''}`),
      h('dt', {}, 'destination'),
      h('dd', {}, t.destination ?? '—'),
      h('dt', {}, 'note'),
      h('dd', { id: 'tx-note' }, t.note ?? ''),
      h('dt', {}, 'vault / account'),
      h('dd', {}, h('a', { href: `#/vaults/${t.vaultId}` }, t.vaultId), ' / ', t.accountId),
      h('dt', {}, 'digest'),
      h('dd', {}, h('code', {}, t.digest)),
      h('dt', {}, 'initiator'),
      h('dd', {}, actor(t.initiator)),
      h('dt', {}, 'policy'),
      h(
        'dd',
        {},
        t.policy === null
          ? '—'
          : `${t.policy.action}${t.policy.rule ? ` (rule ${t.policy.rule})` : ''}: ${t.policy.reason}`,
      ),
      h('dt', {}, 'signed by'),
      h('dd', {}, actor(t.signer)),
    ),
    approvalsSection(t.approvals, nameOf),
    actionButtons(ctx, t),
    t.signature === null
      ? null
      : [h('h2', {}, 'Signature'), h('pre', {}, JSON.stringify(t.signature, null, 2))],
    h('h2', {}, 'Transitions'),
    table(
      ['at', 'from', 'to', 'event', 'by', 'reason'],
      t.transitions.map((x) => [when(x.at), x.from, x.to, x.event, actor(x.actor), x.reason]),
    ),
  );
}
