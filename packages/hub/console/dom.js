// DOM helpers for the console. Text from the hub is only ever set as text (textContent), never
// parsed as HTML, so a note or a name cannot inject markup or script.

/**
 * h('a', { href: '#/x', class: 'badge' }, 'text', child): an element with attributes and
 * children. `on*` attributes take functions and become listeners; null children are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** A table with a header row and one row per item. */
export function table(headers, rows) {
  return h(
    'table',
    {},
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headers.map((t) => h('th', {}, t)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((cells) =>
        h(
          'tr',
          {},
          cells.map((c) => h('td', {}, c)),
        ),
      ),
    ),
  );
}

/** Milliseconds since the epoch as local date and time, or a dash. */
export function when(ms) {
  return typeof ms === 'number' ? new Date(ms).toLocaleString() : '—';
}

/** A long identifier or key shortened for a table cell, whole in the tooltip. */
export function short(text, keep = 10) {
  if (typeof text !== 'string') return '—';
  return h('code', { title: text }, text.length > keep * 2 ? `${text.slice(0, keep)}…` : text);
}

const GOOD = new Set(['COMPLETED', 'ACTIVE', 'online', 'active']);
const BAD = new Set([
  'REJECTED',
  'BLOCKED',
  'FAILED',
  'CANCELLED',
  'TIMEOUT',
  'offline',
  'disabled',
]);

/** A status as a coloured badge (with the status as text, so colour is never the only cue). */
export function badge(status) {
  const kind = GOOD.has(status) ? 'good' : BAD.has(status) ? 'bad' : 'wait';
  return h('span', { class: `badge ${kind}`, 'data-status': status }, status);
}
