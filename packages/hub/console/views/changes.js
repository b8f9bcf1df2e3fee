// Configuration changes (pairing, callback handlers, policy, signing schema, allow-list,
// reshares): every change with its payload; approve or reject (owner, admin) and cancel (also
// editor) while it waits for approval.
import { badge, h, table, when } from '../dom.js';
import { actionButton } from './form.js';

function decision(ctx, change, what, label, body) {
  return actionButton(
    ctx,
    label,
    { class: `change-${what}`, 'data-change': change.id },
    async () => {
      const path = `/v1/config-changes/${change.id}/${what}`;
      const after = await ctx.request('POST', path, body?.());
      return `${label}: the change ${change.kind} is now ${after.status}.`;
    },
  );
}

function actions(ctx, change) {
  if (change.status !== 'WAITING_FOR_APPROVAL') return '';
  const out = [];
  // Both must hold: the role may decide changes at all, and this change names the role.
  if (
    ctx.may('POST', '/v1/config-changes/:id/approve') &&
    change.approverRoles.includes(ctx.me.role)
  ) {
    const reason = h('input', {
      placeholder: 'reason (for a rejection)',
      'data-change': change.id,
    });
    out.push(
      decision(ctx, change, 'approve', 'Approve'),
      reason,
      decision(ctx, change, 'reject', 'Reject', () =>
        reason.value.trim() === '' ? {} : { reason: reason.value.trim() },
      ),
    );
  }
  if (ctx.may('POST', '/v1/config-changes/:id/cancel'))
    out.push(decision(ctx, change, 'cancel', 'Cancel'));
  return h('div', { class: 'actions' }, out);
}

export async function changesView(ctx) {
  const { changes } = await ctx.request('GET', '/v1/config-changes');
  // What waits for a decision first (oldest first: it has waited longest), then the rest,
  // newest first.
  const waiting = changes.filter((c) => c.status === 'WAITING_FOR_APPROVAL');
  const decided = changes.filter((c) => c.status !== 'WAITING_FOR_APPROVAL').reverse();
  const rows = [...waiting, ...decided].map((c) => [
    h('code', {}, c.kind),
    badge(c.status),
    h('code', {}, c.targetId),
    c.requestedBy,
    c.decidedBy ?? '—',
    c.reason ?? '',
    when(c.createdAt),
    [
      // A policy change says what it changes, rule by rule: shown first, for the approver.
      typeof c.payload?.summary === 'string'
        ? h('pre', { class: 'change-summary', 'data-change': c.id }, c.payload.summary)
        : null,
      h(
        'details',
        {},
        h('summary', {}, 'payload'),
        h('pre', {}, JSON.stringify(c.payload, null, 2)),
      ),
    ],
    actions(ctx, c),
  ]);
  return h(
    'section',
    { id: 'changes' },
    h('h1', {}, 'Configuration changes'),
    changes.length === 0
      ? h('p', {}, 'No configuration changes.')
      : table(
          ['kind', 'status', 'target', 'requested by', 'decided by', 'reason', 'created', '', ''],
          rows,
        ),
  );
}
