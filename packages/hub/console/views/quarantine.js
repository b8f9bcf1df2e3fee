// Quarantine: co-signers a cryptographic abort named, with the evidence (message ids), kept out
// of signing until an owner or admin releases them with a note.
import { h, short, table, when } from '../dom.js';
import { InputError, actionButton } from './form.js';

function release(ctx, entry) {
  const note = h('input', {
    placeholder: 'why it may sign again (required)',
    'data-cosigner': entry.cosignerId,
  });
  const button = actionButton(
    ctx,
    'Release',
    { class: 'release', 'data-cosigner': entry.cosignerId },
    async () => {
      if (note.value.trim() === '')
        throw new InputError(
          'Say why the co-signer may sign again: the note is kept with the release.',
        );
      await ctx.request('POST', `/v1/quarantine/${entry.cosignerId}/release`, {
        note: note.value.trim(),
      });
      return `Released ${entry.cosignerId} from quarantine.`;
    },
  );
  return h('div', { class: 'actions' }, note, button);
}

export async function quarantineView(ctx) {
  const { entries } = await ctx.request('GET', '/v1/quarantine');
  return h(
    'section',
    { id: 'quarantine' },
    h('h1', {}, 'Quarantine'),
    entries.length === 0
      ? h('p', {}, 'No co-signer is quarantined.')
      : table(
          ['co-signer', 'party', 'since', 'session', 'reason', 'evidence', ''],
          entries.map((e) => [
            short(e.cosignerId, 8),
            e.party,
            when(e.since),
            short(e.sessionId, 8),
            e.reason,
            e.evidence.map((m) => h('div', {}, h('code', {}, m))),
            ctx.may('POST', '/v1/quarantine/:id/release') ? release(ctx, e) : '',
          ]),
        ),
  );
}
