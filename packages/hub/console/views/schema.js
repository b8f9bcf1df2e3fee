// A signing schema or a key's committee (the same shape): threshold, primaries and guard sets,
// each member by party id and co-signer name.
import { h, table } from '../dom.js';

export function schemaSection(schema, names) {
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

/** The editable part of a schema or committee (the hub numbers versions itself). */
export function committeeOf(schema) {
  if (schema === null) return { threshold: 2, primaries: [], sets: [] };
  return { threshold: schema.threshold, primaries: schema.primaries, sets: schema.sets };
}
