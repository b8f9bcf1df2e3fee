// The console's shell: sign-in, navigation by URL hash, the status line, and the views.
import { createClient, hubClockOffsetMs, importKey, nextStep } from './api.js';
import { h } from './dom.js';
import { changesView } from './views/changes.js';
import { cosignersView } from './views/cosigners.js';
import { governanceView } from './views/governance.js';
import { quarantineView } from './views/quarantine.js';
import { transactionView, transactionsView } from './views/transactions.js';
import { vaultView, vaultsView } from './views/vaults.js';

const main = document.getElementById('main');
const statusLine = document.getElementById('status');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
const signOutButton = document.getElementById('sign-out');

/** The signed-in user: { request, me, workspace }, or null. Memory only. */
let session = null;
/** Stops the current view's periodic refresh. */
let stopRefresh = () => {};
/** Bumped on every navigation, so a slow answer for an old view is dropped. */
let generation = 0;

function say(kind, text) {
  statusLine.className = kind;
  statusLine.textContent = text;
}

const ROUTES = [
  [/^#\/transactions\/([\w-]+)$/, transactionView],
  [/^#\/transactions$/, transactionsView],
  [/^#\/changes$/, changesView],
  [/^#\/cosigners$/, cosignersView],
  [/^#\/vaults\/([\w-]+)$/, vaultView],
  [/^#\/vaults$/, vaultsView],
  [/^#\/governance$/, governanceView],
  [/^#\/quarantine$/, quarantineView],
];

async function show() {
  stopRefresh();
  stopRefresh = () => {};
  const mine = ++generation;
  if (session === null) return showSignIn();
  const hash = location.hash || '#/transactions';
  const route = ROUTES.find(([re]) => re.test(hash));
  if (!route) {
    location.hash = '#/transactions';
    return;
  }
  const [re, view] = route;
  const args = re.exec(hash).slice(1);
  for (const a of nav.querySelectorAll('a'))
    a.toggleAttribute('aria-current', hash.startsWith(a.getAttribute('href')));
  const { me, request } = session;
  const ctx = {
    request,
    me,
    /** Whether the user's role may call this route ("POST", "/v1/transactions/:id/approve"). */
    may: (method, route) => me.may.includes(`${method} ${route}`),
    ok: (text) => say('ok', text),
    fail: (error) => say('error', nextStep(error, me.role)),
    rerender: () => show(),
    /** Runs `load` every `ms` while this view is shown (and the tab visible). */
    every(ms, load) {
      if (mine !== generation) return; // the user has moved on while this view loaded
      const timer = setInterval(() => {
        if (mine === generation && document.visibilityState === 'visible') load();
      }, ms);
      const before = stopRefresh;
      stopRefresh = () => {
        before();
        clearInterval(timer);
      };
    },
    current: () => mine === generation,
  };
  try {
    const el = await view(ctx, ...args);
    if (mine === generation) main.replaceChildren(el);
  } catch (e) {
    if (mine === generation) {
      ctx.fail(e);
      main.replaceChildren(h('p', {}, 'This page could not be loaded.'));
    }
  }
}

function showSignIn() {
  nav.hidden = true;
  signOutButton.hidden = true;
  who.textContent = '';
  const user = h('input', {
    id: 'user-id',
    name: 'user',
    required: true,
    autocomplete: 'username',
  });
  const pem = h('textarea', {
    id: 'key-pem',
    name: 'key',
    required: true,
    spellcheck: 'false',
    placeholder: '-----BEGIN PRIVATE KEY-----',
  });
  const file = h('input', {
    id: 'key-file',
    type: 'file',
    accept: '.pem,.key,.txt',
    onchange: async () => {
      const f = file.files?.[0];
      if (f) pem.value = await f.text();
    },
  });
  const submit = h('button', { type: 'submit', id: 'sign-in' }, 'Sign in');
  const form = h(
    'form',
    {
      class: 'signin',
      onsubmit: async (ev) => {
        ev.preventDefault();
        submit.disabled = true;
        say('', 'Signing in…');
        try {
          await signIn(user.value.trim(), pem.value);
          pem.value = '';
        } catch (e) {
          say('error', nextStep(e));
        } finally {
          submit.disabled = false;
        }
      },
    },
    h('h1', {}, 'Sign in'),
    h(
      'p',
      {},
      'Sign in as a hub user with its private key. The key stays in this browser tab: it signs ' +
        'each request here and is never sent to the hub or stored.',
    ),
    h('label', { for: 'user-id' }, 'User id'),
    user,
    h('label', { for: 'key-file' }, 'Private key (PKCS#8 PEM): choose the file or paste it'),
    file,
    pem,
    submit,
  );
  main.replaceChildren(form);
}

async function signIn(sub, pem) {
  if (sub === '') throw new Error('Enter the user id.');
  const { alg, key } = await importKey(pem);
  const request = createClient({ sub, alg, key, offsetMs: await hubClockOffsetMs() });
  const me = await request('GET', '/v1/me');
  const workspace = await request('GET', '/v1/workspace');
  session = { request, me, workspace };
  who.textContent = `${me.name} (${me.role}) · ${workspace.name ?? workspace.id}`;
  nav.hidden = false;
  signOutButton.hidden = false;
  say('ok', `Signed in as ${me.name}.`);
  if (!location.hash || location.hash === '#/') location.hash = '#/transactions';
  else show();
}

signOutButton.addEventListener('click', () => {
  session = null;
  say('ok', 'Signed out: the key is gone from this tab.');
  show();
});
window.addEventListener('hashchange', () => show());
// A click on the link of the view already shown loads it again (the hash does not change).
nav.addEventListener('click', (ev) => {
  const a = ev.target instanceof Element ? ev.target.closest('a') : null;
  if (a && a.getAttribute('href') === location.hash) show();
});
show();
