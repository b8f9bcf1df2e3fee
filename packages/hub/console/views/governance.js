// Who and what governs signing: users and their roles, the policy in force (rules in order), the
// signing schema (threshold, primaries, guard sets) and the allow-list. Read-only: changes to
// these go through configuration changes (the Changes view decides them).
import { badge, h, short, table, when } from '../dom.js';

function amountRange(a) {
  if (!a) return 'any';
  return `${a.min ?? '0'} … ${a.max ?? '∞'}`;
}

function approvalsOf(rule) {
  const groups = rule.approvals?.groups ?? [];
  return groups.map((g) => h('div', {}, `${g.name}: ${g.quorum} of ${g.approvers.length}`));
}

function policySection(policy) {
  if (policy === null) return h('p', {}, 'No policy yet: every transaction is refused.');
  return h(
    'div',
    { id: 'policy' },
    h('p', {}, `Version ${policy.version}; the first matching rule decides.`),
    table(
      ['rule', 'action', 'assets', 'amount', 'approvals'],
      policy.rules.map((r) => [
        h('code', {}, r.id),
        r.action,
        Array.isArray(r.assets) ? r.assets.join(', ') : 'any',
        amountRange(r.amount),
        approvalsOf(r),
      ]),
    ),
    h(
      'details',
      {},
      h('summary', {}, 'the whole document'),
      h('pre', {}, JSON.stringify(policy, null, 2)),
    ),
  );
}

function schemaSection(schema, names) {
  if (schema === null) return h('p', {}, 'No signing schema yet.');
  const member = (m) => `party ${m.party}: ${names.get(m.cosignerId) ?? m.cosignerId}`;
  return h(
    'div',
    { id: 'schema' },
    h('p', {}, `Version ${schema.version}; threshold ${schema.threshold}.`),
    table(
      ['group', 'members'],
      [
        ['primaries', schema.primaries.map((m) => h('div', {}, member(m)))],
        ...schema.sets.map((s) => [`set ${s.name}`, s.guards.map((m) => h('div', {}, member(m)))]),
      ],
    ),
  );
}

export async function governanceView(ctx) {
  const [{ users }, { policy }, { schema }, { entries }, { cosigners }] = await Promise.all([
    ctx.request('GET', '/v1/users'),
    ctx.request('GET', '/v1/policy'),
    ctx.request('GET', '/v1/signing-schema'),
    ctx.request('GET', '/v1/allowlist'),
    ctx.request('GET', '/v1/cosigners'),
  ]);
  const names = new Map(cosigners.map((c) => [c.id, c.name]));
  return h(
    'section',
    { id: 'governance' },
    h('h1', {}, 'Governance'),
    h('h2', {}, 'Users'),
    h(
      'div',
      { id: 'users' },
      table(
        ['name', 'id', 'kind', 'role', 'key', 'state', 'created'],
        users.map((u) => [
          u.name,
          short(u.id, 8),
          u.kind,
          u.role,
          u.keyAlgorithm,
          badge(u.disabled ? 'disabled' : 'active'),
          when(u.createdAt),
        ]),
      ),
    ),
    h('h2', {}, 'Policy'),
    policySection(policy),
    h('h2', {}, 'Signing schema'),
    schemaSection(schema, names),
    h('h2', {}, 'Allow-list'),
    h(
      'div',
      { id: 'allowlist' },
      entries.length === 0
        ? h('p', {}, 'The allow-list is empty.')
        : table(
            ['list', 'asset', 'address', 'label', 'approved by', 'since'],
            entries.map((e) => [
              e.list,
              e.asset ?? 'any',
              h('code', {}, e.address),
              e.label,
              e.approvedBy,
              when(e.createdAt),
            ]),
          ),
    ),
  );
}
