// Who and what governs signing: users and their roles, the policy in force (rules in order), the
// signing schema (threshold, primaries, guard sets), the allow-list and the webhooks. A new policy
// or allow-list entry is proposed here and becomes a configuration change that the Changes view
// decides.
import { h, table } from '../dom.js';
import { allowlistSection } from './allowlist.js';
import { proposalEditor } from './form.js';
import { committeeOf, schemaSection } from './schema.js';
import { usersSection } from './users.js';
import { webhooksSection } from './webhooks.js';

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

function policyEditor(ctx, policy) {
  return proposalEditor(ctx, {
    id: 'propose-policy',
    title: 'Propose a new policy (docs/policy-language.md)',
    what: 'policy',
    label: 'the whole document, with the next version number',
    value:
      policy === null
        ? { format: 'quorate.policy/v1', version: 1, rules: [] }
        : { ...policy, version: policy.version + 1 },
    send: (doc) => ctx.request('PUT', '/v1/policy', { policy: doc }),
  });
}

function schemaEditor(ctx, schema) {
  return proposalEditor(ctx, {
    id: 'propose-schema',
    title: 'Propose a signing schema (one primary and one guard of each set sign)',
    what: 'signing schema',
    label:
      'threshold (1 + the number of sets), primaries and sets, members by co-signer id and party',
    value: committeeOf(schema),
    send: (doc) => ctx.request('PUT', '/v1/signing-schema', doc),
  });
}

export async function governanceView(ctx) {
  const [{ policy }, { schema }, { cosigners }] = await Promise.all([
    ctx.request('GET', '/v1/policy'),
    ctx.request('GET', '/v1/signing-schema'),
    ctx.request('GET', '/v1/cosigners'),
  ]);
  const names = new Map(cosigners.map((c) => [c.id, c.name]));
  const [users, allowlist, webhooks] = await Promise.all([
    usersSection(ctx),
    allowlistSection(ctx),
    webhooksSection(ctx),
  ]);
  return h(
    'section',
    { id: 'governance' },
    h('h1', {}, 'Governance'),
    h('h2', {}, 'Users'),
    users,
    h('h2', {}, 'Policy'),
    policySection(policy),
    ctx.may('PUT', '/v1/policy') ? policyEditor(ctx, policy) : null,
    h('h2', {}, 'Signing schema'),
    schemaSection(schema, names),
    ctx.may('PUT', '/v1/signing-schema') ? schemaEditor(ctx, schema) : null,
    h('h2', {}, 'Allow-list'),
    allowlist,
    h('h2', {}, 'Webhooks'),
    webhooks,
  );
}
