// The web console in real headless Chromium (Debian package `chromium`, see .ci/run) against a
// hub on loopback with fake co-signers (test/orchestration/harness.ts): sign-in with each key
// type and its refusals, approving a transaction until it is signed, deciding configuration
// changes, role-aware actions, co-signer health, vaults and accounts, markup in hub data shown as
// text, and the private key never leaving the browser.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import puppeteer from 'puppeteer-core';
import type { Browser, Page } from 'puppeteer-core';
import { CONSOLE_CSP } from '../../src/http/console.ts';
import { sqliteMemory } from '../support/databases.ts';
import { call, testKey } from '../support/hub.ts';
import type { Actor } from '../support/hub.ts';
import { buildWorld, policyDoc, settled, submit } from '../orchestration/signing.suite.ts';
import type { World } from '../orchestration/signing.suite.ts';

const CHROMIUM = process.env.QUORATE_CHROMIUM ?? '/usr/bin/chromium';
const MARKUP_NOTE = 'pay <img src=x onerror="window.__xss=1"><b>now</b>';

/** The little of the browser's document the page functions below use (no DOM lib here). */
interface BrowserDocument {
  getElementById(id: string): { textContent: string | null } | null;
}

interface Sent {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

describe('web console (headless Chromium)', () => {
  let w: World;
  let base: string;
  let browser: Browser;
  let page: Page;
  let profile: string;
  let syncClock: NodeJS.Timeout;
  let editor: Actor;
  let viewer: Actor;
  const sent: Sent[] = [];
  const pageErrors: string[] = [];

  before(async () => {
    assert.ok(
      existsSync(CHROMIUM),
      `Chromium is installed at ${CHROMIUM} (Debian package chromium, see .ci/run; or set QUORATE_CHROMIUM)`,
    );
    w = await buildWorld(sqliteMemory());
    editor = await w.hub.addUser('editor');
    viewer = await w.hub.addUser('viewer', { key: testKey('P-256'), name: 'vera' });
    // The browser signs with the real time; the hub's test clock follows it.
    syncClock = setInterval(() => (w.hub.clock.t = Date.now()), 20);
    w.hub.clock.t = Date.now();
    await w.hub.server.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(w.hub.server.app.server.address() as AddressInfo).port}`;
    profile = mkdtempSync(join(tmpdir(), 'quorate-console-'));
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      userDataDir: profile,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
    });
    page = await browser.newPage();
    page.on('request', (r) =>
      sent.push({ url: r.url(), headers: r.headers(), body: r.postData() ?? '' }),
    );
    page.on('pageerror', (e) => pageErrors.push(String(e)));
  });

  after(async () => {
    clearInterval(syncClock);
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await w.hub.stack.transactions.settle();
    for (const c of [w.primary, ...w.guards]) c.close();
    await w.hub.close();
  });

  /** The world's policy with the "small-eth" rule's limit changed: a proposal that changes something. */
  function policyWithSmallEthUpTo(version: number, max: string) {
    const doc = policyDoc(w.admins);
    return {
      ...doc,
      version,
      rules: doc.rules.map((r) => (r.id === 'small-eth' ? { ...r, amount: { max } } : r)),
    };
  }

  /** Co-signer names by id, from the API. */
  async function cosignerNames(): Promise<(id: string) => string | undefined> {
    const { cosigners } = (await call(w.hub, viewer, 'GET', '/v1/cosigners')).json as {
      cosigners: { id: string; name: string }[];
    };
    return (id) => cosigners.find((c) => c.id === id)?.name;
  }

  /** The members the page shows in its schema or committee table, group by group. */
  const schemaRows = () =>
    page.$$eval('#schema tbody tr', (rows) =>
      rows.map((r) =>
        Array.from(r.querySelectorAll('td div')).map(
          (c) => (c as { textContent: string | null }).textContent,
        ),
      ),
    );

  const pemOf = (a: Actor) => a.key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const statusLine = () => page.$eval('#status', (e) => [e.className, e.textContent ?? '']);

  /** Waits until the status line says something other than `previous` and returns it. */
  async function nextStatus(previous = ''): Promise<[string, string]> {
    await page.waitForFunction(
      (p) => {
        const doc = (globalThis as unknown as { document: BrowserDocument }).document;
        const t = doc.getElementById('status')?.textContent ?? '';
        return t !== p && t !== 'Signing in…';
      },
      { timeout: 20_000 },
      previous,
    );
    return (await statusLine()) as [string, string];
  }

  async function signIn(user: string, pem: string): Promise<[string, string]> {
    await page.goto(`${base}/console/`);
    if (await page.$('#sign-out:not([hidden])')) {
      await page.click('#sign-out');
    }
    await page.waitForSelector('#user-id');
    const before = (await statusLine())[1];
    await page.$eval('#user-id', (e, v) => ((e as unknown as { value: string }).value = v), user);
    await page.$eval('#key-pem', (e, v) => ((e as unknown as { value: string }).value = v), pem);
    await page.click('#sign-in');
    return nextStatus(before);
  }

  async function go(hash: string, selector: string) {
    const here = await page.evaluate(
      () => (globalThis as unknown as { location: { hash: string } }).location.hash,
    );
    // Already there: the view's own link loads it again, as a user would click it.
    if (here === hash) await page.click(`#nav a[href="${hash}"]`);
    else
      await page.evaluate(
        (hsh) => ((globalThis as unknown as { location: { hash: string } }).location.hash = hsh),
        hash,
      );
    try {
      await page.waitForSelector(selector, { timeout: 20_000 });
    } catch (e) {
      // Say what the page showed instead, so a failure is readable.
      const [, status] = await statusLine();
      const shown = await page.$eval('#main', (m) => m.textContent ?? '');
      throw new Error(
        `${hash}: no ${selector}; status "${status}"; page "${shown.slice(0, 400)}"`,
        {
          cause: e,
        },
      );
    }
  }

  async function clickAndWait(selector: string): Promise<[string, string]> {
    const before = (await statusLine())[1];
    await page.click(selector);
    return nextStatus(before);
  }

  test('serves the console from memory with a strict CSP; /console redirects; other paths 404', async () => {
    const index = await fetch(`${base}/console/`);
    assert.equal(index.status, 200);
    assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(index.headers.get('content-security-policy'), CONSOLE_CSP);
    assert.equal(index.headers.get('x-frame-options'), 'DENY');
    const jose = await fetch(`${base}/console/vendor/jose/index.js`);
    assert.equal(jose.status, 200);
    assert.equal(jose.headers.get('content-type'), 'text/javascript; charset=utf-8');
    const redirect = await fetch(`${base}/console`, { redirect: 'manual' });
    assert.deepEqual([redirect.status, redirect.headers.get('location')], [302, '/console/']);
    const missing = await fetch(`${base}/console/nothing.js`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'not_found');
    // A raw path that climbs out of the console folder names no file served.
    const raw = await new Promise<number>((resolve, reject) =>
      httpRequest(`${base}/console/..%2f..%2fpackage.json`, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end(),
    );
    assert.equal(raw, 404);
  });

  test('sign-in refusals say what to do next', async () => {
    const stranger = testKey('Ed25519');
    const wrongKey = await signIn(w.admins[0].id, pemOf({ ...w.admins[0], key: stranger }));
    assert.deepEqual(wrongKey, [
      'error',
      "The key does not match this user's registered public key. Choose the private key file of this user.",
    ]);
    const unknown = await signIn('no-such-user', pemOf(w.admins[0]));
    assert.deepEqual(unknown, [
      'error',
      'No active user has this id. Check the user id (quorate hub api-user create prints it).',
    ]);
    const notPem = await signIn(w.admins[0].id, 'my key');
    assert.equal(notPem[0], 'error');
    assert.match(notPem[1], /^The key must be an unencrypted PKCS#8 PEM/);
    assert.equal(
      await page.$eval('#nav', (e) => (e as unknown as { hidden: boolean }).hidden),
      true,
    );
  });

  test('two admins approve a transaction from the console; it is signed; hub data shows as text', async () => {
    const tx = await submit(w, {
      payload: { type: 'message', message: 'console approval' },
      asset: 'ETH',
      amount: '20',
      note: MARKUP_NOTE,
    });
    assert.equal(tx.json.status, 'PENDING_AUTHORIZATION', tx.body);
    const id: string = tx.json.id;

    assert.deepEqual(await signIn(w.admins[0].id, pemOf(w.admins[0])), [
      'ok',
      'Signed in as admin-1.',
    ]);
    await page.waitForSelector('#transactions table');
    const listed = await page.$$eval('#transactions tbody tr', (rows) =>
      rows.map((r) => [
        r.querySelector('a code')?.getAttribute('title'),
        r.querySelector('.badge')?.textContent,
      ]),
    );
    assert.deepEqual(
      listed.find(([i]) => i === id),
      [id, 'PENDING_AUTHORIZATION'],
    );
    // The status filter offers the hub's own statuses (read from its OpenAPI document).
    assert.deepEqual(
      await page.$$eval('#status-filter option', (o) => o.map((e) => e.getAttribute('value'))),
      [
        '',
        'SUBMITTED',
        'PENDING_AUTHORIZATION',
        'QUEUED',
        'PENDING_SIGNATURE',
        'COMPLETED',
        'REJECTED',
        'BLOCKED',
        'FAILED',
        'CANCELLED',
        'TIMEOUT',
      ],
    );
    // The list refreshes itself: a transaction submitted meanwhile appears without a click.
    const later = await submit(w, {
      payload: { type: 'message', message: 'appears by itself' },
      asset: 'ETH',
      amount: '1',
    });
    await page.waitForSelector(`#transactions a code[title="${later.json.id}"]`, {
      timeout: 20_000,
    });

    await go(`#/transactions/${id}`, '#transaction #tx-approve');
    assert.equal(await page.$eval('#tx-note', (e) => e.textContent), MARKUP_NOTE);
    assert.equal(await page.$('#transaction img'), null);
    assert.equal(await page.$('#transaction b'), null);
    const approved = await clickAndWait('#tx-approve');
    assert.deepEqual(approved, ['ok', 'Approve: the transaction is now PENDING_AUTHORIZATION.']);
    const mid = await call(w.hub, w.hub.owner, 'GET', `/v1/transactions/${id}`);
    assert.equal(mid.json.status, 'PENDING_AUTHORIZATION');
    // The detail shows where the approvals stand: one of the two admins, by name.
    await page.waitForSelector('#approvals table:nth-of-type(2) tbody tr');
    const approvalRows = await page.$$eval('#approvals tbody tr', (rows) =>
      rows.map((r) =>
        Array.from(r.querySelectorAll('td'))
          .slice(0, 6)
          .map((c) => (c as { textContent: string | null }).textContent),
      ),
    );
    assert.deepEqual(
      // Group rows have six cells; vote rows three (by, vote, at: the time is left out here).
      approvalRows.map((r) => (r.length === 3 ? r.slice(0, 2) : r)),
      [
        ['admins', '1', '2', '2', '0', 'waiting'],
        ['admin-1', 'APPROVE'],
      ],
    );
    assert.equal(await page.$eval('#approvals h2 .badge', (e) => e.textContent), 'PENDING');

    // The same admin again: the hub refuses a second vote, and the console says so.
    await page.waitForSelector('#transaction #tx-approve');
    const again = await clickAndWait('#tx-approve');
    const direct = await call(w.hub, w.admins[0], 'POST', `/v1/transactions/${id}/approve`);
    assert.deepEqual([direct.status, direct.json.error.field], [409, undefined]);
    assert.deepEqual(again, ['error', `The hub refused (conflict): ${direct.json.error.message}.`]);

    await signIn(w.admins[1].id, pemOf(w.admins[1]));
    await go(`#/transactions/${id}`, '#transaction #tx-approve');
    const second = await clickAndWait('#tx-approve');
    assert.deepEqual(second, ['ok', 'Approve: the transaction is now QUEUED.']);
    const done = await settled(w, id);
    assert.equal(done.status, 'COMPLETED');

    await page.reload();
    // After a reload the key is gone: the console asks to sign in again.
    await page.waitForSelector('#user-id');
    await signIn(w.admins[1].id, pemOf(w.admins[1]));
    await go(`#/transactions/${id}`, '#transaction .badge');
    assert.equal(await page.$eval('#transaction .badge', (e) => e.textContent), 'COMPLETED');
    assert.equal(await page.$('#tx-approve'), null);
    const shownSignature = await page.$eval('#transaction pre', (e) =>
      JSON.parse(e.textContent ?? ''),
    );
    assert.deepEqual(shownSignature, done.signature);
    assert.equal(await page.evaluate(() => (globalThis as { __xss?: number }).__xss), undefined);
  });

  test('the owner approves and rejects policy changes from the console (admins may not)', async () => {
    const propose = async (max: string) => {
      const r = await call(w.hub, editor, 'PUT', '/v1/policy', {
        body: { policy: policyWithSmallEthUpTo(2, max) },
      });
      assert.equal(r.status, 202, r.body);
      return r.json.id as string;
    };
    const yes = await propose('11');
    const no = await propose('12');
    // A policy change waits for the owner (approverRoles ['owner']): an admin gets no buttons.
    await signIn(w.admins[0].id, pemOf(w.admins[0]));
    await go('#/changes', '#changes table');
    assert.equal(await page.$(`.change-approve[data-change="${yes}"]`), null);
    await signIn(w.hub.owner.id, pemOf(w.hub.owner));
    await go('#/changes', `.change-approve[data-change="${yes}"]`);
    // Waiting changes come first, oldest first; decided ones follow.
    const statuses = await page.$$eval('#changes tbody tr .badge', (b) =>
      b.map((e) => e.textContent),
    );
    const firstDecided = statuses.findIndex((x) => x !== 'WAITING_FOR_APPROVAL');
    assert.deepEqual(statuses.slice(0, 2), ['WAITING_FOR_APPROVAL', 'WAITING_FOR_APPROVAL']);
    assert.ok(
      statuses.slice(firstDecided).every((x) => x !== 'WAITING_FOR_APPROVAL'),
      statuses.join(),
    );
    const waitingIds = await page.$$eval('#changes .change-approve', (b) =>
      b.map((e) => e.getAttribute('data-change')),
    );
    // (Both were proposed in the same millisecond here: their order between them is by id.)
    assert.deepEqual(waitingIds.sort(), [yes, no].sort());
    // What the change does, as the hub summarised it, is shown before any click.
    const yesChange = (await call(w.hub, viewer, 'GET', `/v1/config-changes/${yes}`)).json;
    assert.match(yesChange.payload.summary, /small-eth/);
    assert.equal(
      await page.$eval(`.change-summary[data-change="${yes}"]`, (e) => e.textContent),
      yesChange.payload.summary,
    );
    const approved = await clickAndWait(`.change-approve[data-change="${yes}"]`);
    assert.deepEqual(approved, ['ok', 'Approve: the change policy.set is now COMPLETED.']);
    await page.waitForSelector(`.change-reject[data-change="${no}"]`);
    await page.type(`input[data-change="${no}"]`, 'not this week');
    const rejected = await clickAndWait(`.change-reject[data-change="${no}"]`);
    assert.deepEqual(rejected, ['ok', 'Reject: the change policy.set is now REJECTED.']);
    const a = await call(w.hub, viewer, 'GET', `/v1/config-changes/${yes}`);
    const b = await call(w.hub, viewer, 'GET', `/v1/config-changes/${no}`);
    assert.deepEqual(
      [a.json.status, a.json.decidedBy, b.json.status, b.json.decidedBy, b.json.reason],
      ['COMPLETED', w.hub.owner.id, 'REJECTED', w.hub.owner.id, 'not this week'],
    );
  });

  test('a viewer (P-256 key) gets no buttons for what its role may not do; an editor outside the approval group is refused with the reason', async () => {
    const pending = await call(w.hub, editor, 'PUT', '/v1/policy', {
      body: { policy: policyWithSmallEthUpTo(3, '13') },
    });
    assert.equal(pending.status, 202, pending.body);
    const tx = await submit(w, {
      payload: { type: 'message', message: 'viewer cannot approve' },
      asset: 'ETH',
      amount: '30',
    });
    assert.equal(tx.json.status, 'PENDING_AUTHORIZATION');

    assert.deepEqual(await signIn(viewer.id, pemOf(viewer)), ['ok', 'Signed in as vera.']);
    await go('#/changes', '#changes table');
    assert.equal(await page.$$eval('#changes button', (b) => b.length), 0);
    await go(`#/transactions/${tx.json.id}`, '#transaction .badge');
    assert.equal(await page.$$eval('#transaction button', (b) => b.length), 0);

    // An editor may vote (role) and cancel changes, but is in no approval group of the rule.
    await signIn(editor.id, pemOf(editor));
    await go('#/changes', `.change-cancel[data-change="${pending.json.id}"]`);
    assert.equal(await page.$(`.change-approve[data-change="${pending.json.id}"]`), null);
    await go(`#/transactions/${tx.json.id}`, '#transaction #tx-approve');
    assert.equal(await page.$('#tx-cancel'), null);
    const refused = await clickAndWait('#tx-approve');
    assert.deepEqual(refused, [
      'error',
      `${editor.id} is not an approver of this rule. You are signed in as editor: ask an owner or admin if this should be allowed.`,
    ]);
    const after = await call(w.hub, w.hub.owner, 'GET', `/v1/transactions/${tx.json.id}`);
    assert.equal(after.json.status, 'PENDING_AUTHORIZATION');
  });

  test('co-signers with their health, vaults and their accounts', async () => {
    await signIn(w.admins[0].id, pemOf(w.admins[0]));
    await go('#/cosigners', '#cosigners table');
    const health = await page.$$eval('#cosigners tbody tr', (rows) =>
      rows.map((r) => r.querySelectorAll('.badge')[1]?.getAttribute('data-status')),
    );
    assert.deepEqual(health, ['online', 'online', 'online', 'online']);

    // Rename a guard; propose unpairing another (a change that waits for the owner or an admin).
    const [g1, g2] = w.guards as unknown as [{ id: string }, { id: string }];
    await page.select('#rename-cosigner-id', g1.id);
    await page.type('#rename-cosigner-name', 'guard <one>');
    const refused = await clickAndWait('#rename-cosigner button[type=submit]');
    assert.deepEqual(refused, [
      'error',
      'The hub refused (validation_failed, field name): names are 1-100 letters, digits, spaces or . _ @ : -.',
    ]);
    await page.$eval(
      '#rename-cosigner-name',
      (e) => ((e as unknown as { value: string }).value = ''),
    );
    await page.type('#rename-cosigner-name', 'guard one@rack:2');
    const renamed = await clickAndWait('#rename-cosigner button[type=submit]');
    assert.deepEqual(renamed, ['ok', `Renamed: ${g1.id} is now guard one@rack:2.`]);
    assert.equal((await cosignerNames())(g1.id), 'guard one@rack:2');
    await page.waitForSelector('#cosigners table');
    const names = await page.$$eval('#cosigners tbody tr', (rows) =>
      rows.map((r) => r.querySelector('td')?.textContent),
    );
    assert.ok(names.includes('guard one@rack:2'), names.join());
    await page.select('#unpair-cosigner-id', g2.id);
    const before = new Set(
      (await call(w.hub, viewer, 'GET', '/v1/config-changes')).json.changes.map(
        (c: { id: string }) => c.id,
      ),
    );
    const unpair = await clickAndWait('#unpair-cosigner button[type=submit]');
    const change = (await call(w.hub, viewer, 'GET', '/v1/config-changes')).json.changes.find(
      (c: { id: string }) => !before.has(c.id),
    );
    assert.deepEqual(
      [change.kind, change.targetId, change.status],
      ['cosigner.unpair', g2.id, 'WAITING_FOR_APPROVAL'],
    );
    assert.deepEqual(unpair, [
      'ok',
      `Unpairing proposed: change ${change.id} is WAITING_FOR_APPROVAL.`,
    ]);
    // Withdrawn again (the later tests sign with this co-signer).
    const cancel = await call(w.hub, w.hub.owner, 'POST', `/v1/config-changes/${change.id}/cancel`);
    assert.equal(cancel.json.status, 'CANCELLED', cancel.body);

    await go('#/vaults', '#vaults table');
    assert.deepEqual(
      await page.$$eval('#vaults tbody tr', (rows) =>
        rows.map((r) => [
          r.querySelector('a')?.textContent,
          r.querySelector('.badge')?.textContent,
        ]),
      ),
      [['treasury', 'ACTIVE']],
    );
    await page.click('#vaults tbody a');
    await page.waitForSelector('#accounts table');
    const accounts = await call(w.hub, viewer, 'GET', `/v1/vaults/${w.vaultId}/accounts`);
    const shown = await page.$$eval('#accounts tbody tr', (rows) =>
      rows.map((r) =>
        Array.from(r.querySelectorAll('td'))
          .slice(0, 3)
          .map((c) => (c as { textContent: string | null }).textContent),
      ),
    );
    assert.deepEqual(
      shown,
      accounts.json.accounts.map((a: { name: string; path: string; address: string }) => [
        a.name,
        a.path,
        a.address,
      ]),
    );

    // The key's committee (here: the schema it was made with), by party and co-signer name.
    const nameOf = await cosignerNames();
    const committee = await schemaRows();
    assert.deepEqual(committee, [
      [`party 1: ${nameOf(w.primary.id)}`],
      w.guards.map((g, i) => `party ${i + 2}: ${nameOf(g.id)}`),
    ]);
    const jobsBefore = w.primary.jobs.length;
    const refreshed = await clickAndWait('#refresh-vault');
    assert.deepEqual(refreshed, [
      'ok',
      'Refresh of treasury started: new shares for the same key.',
    ]);
    await w.hub.stack.vaults.settle();
    assert.deepEqual(
      w.primary.jobs.slice(jobsBefore).map((j) => j.kind),
      ['refresh'],
    );
  });

  test('governance: users, the policy in force, the signing schema and the allow-list', async () => {
    const EXCHANGE = '0x52908400098527886E0F7030069857D2E4169EE7';
    const add = await call(w.hub, editor, 'POST', '/v1/allowlist', {
      body: { list: 'exchanges', asset: 'ETH', address: EXCHANGE, label: '<i>Exchange</i> hot' },
    });
    assert.equal(add.status, 202, add.body);
    const ok = await call(w.hub, w.admins[1], 'POST', `/v1/config-changes/${add.json.id}/approve`);
    assert.equal(ok.json.status, 'COMPLETED', ok.body);
    await signIn(w.admins[0].id, pemOf(w.admins[0]));
    await go('#/governance', '#governance #policy table');
    const users = (await call(w.hub, viewer, 'GET', '/v1/users')).json.users as {
      name: string;
      role: string;
    }[];
    const shownUsers = await page.$$eval('#users tbody tr', (rows) =>
      rows.map((r) => {
        const cells = r.querySelectorAll('td');
        return [cells[0]?.textContent, cells[3]?.textContent];
      }),
    );
    assert.deepEqual(shownUsers.sort(), users.map((u) => [u.name, u.role]).sort());
    const policy = (await call(w.hub, viewer, 'GET', '/v1/policy')).json.policy;
    const rules = await page.$$eval('#policy tbody tr', (rows) =>
      rows.map((r) =>
        Array.from(r.querySelectorAll('td')).map(
          (c) => (c as { textContent: string | null }).textContent,
        ),
      ),
    );
    assert.deepEqual(
      rules.map((r) => r[0]),
      policy.rules.map((r: { id: string }) => r.id),
    );
    assert.deepEqual(
      rules.find((r) => r[0] === 'large-eth'),
      ['large-eth', 'REQUIRE_APPROVAL', 'ETH', '10.000000000000000001 … ∞', 'admins: 2 of 2'],
    );
    const schema = await schemaRows();
    const allowlist = await page.$$eval('#allowlist tbody tr', (rows) =>
      rows.map((r) =>
        Array.from(r.querySelectorAll('td'))
          .slice(0, 5)
          .map((c) => (c as { textContent: string | null }).textContent),
      ),
    );
    assert.deepEqual(allowlist, [
      ['exchanges', 'ETH', EXCHANGE, '<i>Exchange</i> hot', w.admins[1].id],
    ]);
    const nameOf = await cosignerNames();
    assert.deepEqual(schema, [
      [`party 1: ${nameOf(w.primary.id)}`],
      w.guards.map((g, i) => `party ${i + 2}: ${nameOf(g.id)}`),
    ]);
  });

  test('the owner adds and disables a user, makes a pairing token, manages webhooks and proposes allow-list and policy changes', async () => {
    await signIn(w.hub.owner.id, pemOf(w.hub.owner));
    await go('#/governance', '#new-user');
    const dora = testKey('P-256');
    await page.type('#new-user-name', 'dora');
    await page.select('#new-user-kind', 'human');
    await page.select('#new-user-role', 'signer');
    await page.$eval(
      '#new-user-publicKey',
      (e, v) => ((e as unknown as { value: string }).value = v),
      dora.publicPem,
    );
    const added = await clickAndWait('#new-user button[type=submit]');
    const users = (await call(w.hub, viewer, 'GET', '/v1/users')).json.users;
    const doraRow = users.find((u: { name: string }) => u.name === 'dora');
    assert.deepEqual(
      [doraRow.kind, doraRow.role, doraRow.keyAlgorithm, doraRow.disabled],
      ['human', 'signer', 'ES256', false],
    );
    assert.deepEqual(added, ['ok', `Added dora (signer): user id ${doraRow.id}.`]);
    const doraActor: Actor = { id: doraRow.id, role: 'signer', key: dora };
    assert.deepEqual(await signIn(doraRow.id, pemOf(doraActor)), ['ok', 'Signed in as dora.']);

    await signIn(w.hub.owner.id, pemOf(w.hub.owner));
    await go('#/governance', `.disable-user[data-user="${doraRow.id}"]`);
    const disabled = await clickAndWait(`.disable-user[data-user="${doraRow.id}"]`);
    assert.deepEqual(disabled, ['ok', 'dora is disabled: its key no longer signs requests.']);
    assert.deepEqual(await signIn(doraRow.id, pemOf(doraActor)), [
      'error',
      'No active user has this id. Check the user id (quorate hub api-user create prints it).',
    ]);

    await signIn(w.hub.owner.id, pemOf(w.hub.owner));
    await go('#/governance', '#new-pairing-token');
    const apiUserId = await page.$eval(
      '#new-pairing-token-apiUserId',
      (e) => (e as unknown as { value: string }).value,
    );
    const token = await clickAndWait('#new-pairing-token button[type=submit]');
    assert.equal(token[0], 'ok');
    assert.match(token[1], /^Token made, single use, valid until .+: give the command below/);
    const command = await page.$eval('#pairing-token', (e) => e.textContent ?? '');
    const m = /^quorate cosigner pair ([\w-]+\.[\w-]+\.[\w-]+)$/.exec(command);
    assert.ok(m, command);
    assert.equal(decodeJwt(m[1]!).sub, apiUserId);

    await page.type('#new-webhook-url', 'http://127.0.0.1:9/hook');
    const hooked = await clickAndWait('#new-webhook button[type=submit]');
    assert.deepEqual(hooked, [
      'ok',
      'Added the webhook to http://127.0.0.1:9/hook. Its signing secret is below: store it now, it is not shown again.',
    ]);
    assert.ok(((await page.$eval('#webhook-secret', (e) => e.textContent)) ?? '').length >= 32);
    const { webhooks } = (await call(w.hub, w.hub.owner, 'GET', '/v1/webhooks')).json;
    assert.deepEqual(
      webhooks.map((x: { url: string }) => x.url),
      ['http://127.0.0.1:9/hook'],
    );
    await go('#/governance', `.remove-webhook[data-webhook="${webhooks[0].id}"]`);
    const removed = await clickAndWait(`.remove-webhook[data-webhook="${webhooks[0].id}"]`);
    assert.deepEqual(removed, ['ok', 'Removed the webhook to http://127.0.0.1:9/hook.']);
    assert.deepEqual((await call(w.hub, w.hub.owner, 'GET', '/v1/webhooks')).json.webhooks, []);

    await go('#/governance', '#new-allowlist-entry');
    await page.type('#new-allowlist-entry-list', 'cold');
    await page.type('#new-allowlist-entry-address', '0x000000000000000000000000000000000000dEaD');
    await page.type('#new-allowlist-entry-label', 'Cold wallet');
    const proposed = await clickAndWait('#new-allowlist-entry button[type=submit]');
    const changes = async () =>
      (await call(w.hub, viewer, 'GET', '/v1/config-changes')).json.changes;
    const add = (await changes()).find(
      (c: { kind: string; status: string }) =>
        c.kind === 'allowlist.add' && c.status === 'WAITING_FOR_APPROVAL',
    );
    assert.deepEqual(proposed, ['ok', `Proposed: change ${add.id} is WAITING_FOR_APPROVAL.`]);
    const entry = (await call(w.hub, viewer, 'GET', '/v1/allowlist')).json.entries[0];
    const removal = await clickAndWait(`.remove-entry[data-entry="${entry.id}"]`);
    const remove = (await changes()).find(
      (c: { kind: string; status: string }) =>
        c.kind === 'allowlist.remove' && c.status === 'WAITING_FOR_APPROVAL',
    );
    assert.deepEqual(removal, [
      'ok',
      `Removal proposed: change ${remove.id} is WAITING_FOR_APPROVAL.`,
    ]);

    // The policy editor starts from the policy in force with the next version number.
    const inForce = (await call(w.hub, viewer, 'GET', '/v1/policy')).json.policy;
    const draft = JSON.parse(
      await page.$eval(
        '#propose-policy-document',
        (e) => (e as unknown as { value: string }).value,
      ),
    );
    assert.deepEqual(draft, { ...inForce, version: inForce.version + 1 });
    const setPolicy = (text: string) =>
      page.$eval(
        '#propose-policy-document',
        (e, v) => ((e as unknown as { value: string }).value = v),
        text,
      );
    await setPolicy('{ not json');
    const notJson = await clickAndWait('#propose-policy button[type=submit]');
    assert.equal(notJson[0], 'error');
    assert.match(
      notJson[1],
      /^The policy is not valid JSON \(.+\)\. Correct it and propose again\.$/,
    );
    const edited = {
      ...draft,
      rules: draft.rules.map((r: { id: string }) =>
        r.id === 'small-eth' ? { ...r, amount: { max: '15' } } : r,
      ),
    };
    await setPolicy(JSON.stringify(edited));
    const earlier = new Set((await changes()).map((c: { id: string }) => c.id));
    const policyProposed = await clickAndWait('#propose-policy button[type=submit]');
    const policyChange = (await changes()).find((c: { id: string }) => !earlier.has(c.id));
    assert.equal(policyChange.kind, 'policy.set');
    assert.deepEqual(policyProposed, [
      'ok',
      `Proposed: change ${policyChange.id} is WAITING_FOR_APPROVAL; it takes effect once approved (see Changes).`,
    ]);
  });

  test('the owner proposes a signing schema and a reshare from JSON editors that start from what is in force', async () => {
    await signIn(w.hub.owner.id, pemOf(w.hub.owner));
    await go('#/governance', '#propose-schema');
    const inForce = (await call(w.hub, viewer, 'GET', '/v1/signing-schema')).json.schema;
    const readDoc = (sel: string) =>
      page.$eval(sel, (e) => JSON.parse((e as unknown as { value: string }).value));
    const draft = await readDoc('#propose-schema-document');
    assert.deepEqual(draft, {
      threshold: inForce.threshold,
      primaries: inForce.primaries,
      sets: inForce.sets,
    });
    const writeDoc = (sel: string, doc: unknown) =>
      page.$eval(
        sel,
        (e, v) => ((e as unknown as { value: string }).value = v),
        JSON.stringify(doc),
      );
    const changes = async () =>
      (await call(w.hub, viewer, 'GET', '/v1/config-changes')).json.changes as {
        id: string;
        kind: string;
        targetId: string;
        status: string;
      }[];
    const newChange = async (before: Set<string>) =>
      (await changes()).find((c) => !before.has(c.id))!;
    const twoGuards = {
      ...draft,
      sets: [{ ...draft.sets[0], guards: draft.sets[0].guards.slice(0, 2) }],
    };
    await writeDoc('#propose-schema-document', twoGuards);
    let before = new Set((await changes()).map((c) => c.id));
    const schema = await clickAndWait('#propose-schema button[type=submit]');
    const schemaChange = await newChange(before);
    assert.deepEqual(
      [schemaChange.kind, schemaChange.status],
      ['signing_schema.set', 'WAITING_FOR_APPROVAL'],
    );
    assert.deepEqual(schema, [
      'ok',
      `Proposed: change ${schemaChange.id} is WAITING_FOR_APPROVAL; it takes effect once approved (see Changes).`,
    ]);

    await go(`#/vaults/${w.vaultId}`, '#propose-reshare');
    const committee = (await call(w.hub, viewer, 'GET', `/v1/vaults/${w.vaultId}/committee`)).json
      .committee;
    const reshareDraft = await readDoc('#propose-reshare-document');
    assert.deepEqual(reshareDraft, {
      threshold: committee.threshold,
      primaries: committee.primaries,
      sets: committee.sets,
    });
    await writeDoc('#propose-reshare-document', {
      ...reshareDraft,
      sets: [{ ...reshareDraft.sets[0], guards: reshareDraft.sets[0].guards.slice(0, 2) }],
    });
    before = new Set((await changes()).map((c) => c.id));
    const reshare = await clickAndWait('#propose-reshare button[type=submit]');
    const reshareChange = await newChange(before);
    assert.deepEqual(
      [reshareChange.kind, reshareChange.targetId, reshareChange.status],
      ['vault_key.reshare', w.vaultId, 'WAITING_FOR_APPROVAL'],
    );
    assert.deepEqual(reshare, [
      'ok',
      `Proposed: change ${reshareChange.id} is WAITING_FOR_APPROVAL; it takes effect once approved (see Changes).`,
    ]);
    // Withdrawn again: the later tests sign with the committee in force.
    for (const c of [schemaChange, reshareChange]) {
      const r = await call(w.hub, w.hub.owner, 'POST', `/v1/config-changes/${c.id}/cancel`);
      assert.equal(r.json.status, 'CANCELLED', r.body);
    }
  });

  test('quarantine: a co-signer an abort named is shown with its evidence and released with a note', async () => {
    const evidence = ['ab'.repeat(32), 'cd'.repeat(32)];
    w.primary.behaviour = { kind: 'blame', culprits: [2], evidence };
    const r = await submit(w, {
      payload: { type: 'message', message: 'blamed once' },
      asset: 'ETH',
      amount: '1',
    });
    assert.equal((await settled(w, r.json.id)).status, 'COMPLETED');
    w.primary.behaviour = { kind: 'honest' };
    const culprit = w.guards[0]!.id;
    const before = (await call(w.hub, w.hub.owner, 'GET', '/v1/quarantine')).json.entries;
    assert.deepEqual(
      before.map((e: { cosignerId: string }) => e.cosignerId),
      [culprit],
    );

    await signIn(viewer.id, pemOf(viewer));
    await go('#/quarantine', '#quarantine table');
    assert.equal(await page.$('button.release'), null);
    const shown = await page.$$eval('#quarantine tbody tr', (rows) =>
      rows.map((r) => [
        r.querySelector('code')?.getAttribute('title'),
        Array.from(r.querySelectorAll('td div code')).map(
          (c) => (c as { textContent: string | null }).textContent,
        ),
      ]),
    );
    assert.deepEqual(shown, [[culprit, evidence]]);

    await signIn(w.admins[0].id, pemOf(w.admins[0]));
    await go('#/quarantine', `button.release[data-cosigner="${culprit}"]`);
    const empty = await clickAndWait(`button.release[data-cosigner="${culprit}"]`);
    assert.deepEqual(empty, [
      'error',
      'Say why the co-signer may sign again: the note is kept with the release.',
    ]);
    await page.type(`input[data-cosigner="${culprit}"]`, 'evidence reviewed: relay fault');
    const released = await clickAndWait(`button.release[data-cosigner="${culprit}"]`);
    assert.deepEqual(released, ['ok', `Released ${culprit} from quarantine.`]);
    await page.waitForSelector('#quarantine p');
    assert.equal(
      await page.$eval('#quarantine p', (e) => e.textContent),
      'No co-signer is quarantined.',
    );
    assert.deepEqual((await call(w.hub, w.hub.owner, 'GET', '/v1/quarantine')).json.entries, []);
  });

  test('a signer submits a message from the console; the policy allows it and it is signed', async () => {
    const signer = w.primary.apiUser;
    await signIn(signer.id, pemOf(signer));
    await page.waitForSelector('#new-transaction #new-transaction-accountId option');
    const set = (name: string, value: string) =>
      page.$eval(
        `#new-transaction-${name}`,
        (e, v) => ((e as unknown as { value: string }).value = v),
        value,
      );
    await set('content', 'hello from the console');
    await set('asset', 'ETH');
    await set('amount', '2');
    await set('note', 'typed in a browser');
    const submitted = await clickAndWait('#new-transaction button[type=submit]');
    assert.equal(submitted[0], 'ok');
    assert.match(submitted[1], /^Submitted: the transaction is QUEUED \(.*small-eth.*\)\.$/);
    await page.waitForSelector('#transaction');
    const id = await page.$eval('#transaction', (e) => e.getAttribute('data-id'));
    assert.ok(id);
    const t = await settled(w, id);
    assert.deepEqual(
      [t.status, t.kind, t.accountId, t.asset, t.amount, t.note, t.initiator.id],
      ['COMPLETED', 'message', w.accountId, 'ETH', '2', 'typed in a browser', signer.id],
    );
  });

  test('the owner adds an account and creates a vault from the console; a bad path is refused with the field', async () => {
    await signIn(w.hub.owner.id, pemOf(w.hub.owner));
    await go(`#/vaults/${w.vaultId}`, '#new-account');
    await page.type('#new-account-name', 'cold');
    await page.type('#new-account-path', 'm/44h/60');
    const bad = await clickAndWait('#new-account button[type=submit]');
    const direct = await call(w.hub, w.hub.owner, 'POST', `/v1/vaults/${w.vaultId}/accounts`, {
      body: { name: 'cold', path: 'm/44h/60' },
    });
    assert.equal(direct.json.error.field, 'path');
    assert.deepEqual(bad, [
      'error',
      `The hub refused (validation_failed, field path): ${direct.json.error.message}.`,
    ]);
    await page.$eval('#new-account-path', (e) => ((e as unknown as { value: string }).value = ''));
    await page.type('#new-account-path', 'm/44/60/0/0/7');
    const added = await clickAndWait('#new-account button[type=submit]');
    const { accounts } = (await call(w.hub, viewer, 'GET', `/v1/vaults/${w.vaultId}/accounts`))
      .json;
    const cold = accounts.find((a: { name: string }) => a.name === 'cold');
    assert.equal(cold.path, 'm/44/60/0/0/7');
    assert.deepEqual(added, ['ok', `Account cold added: ${cold.address}.`]);

    await go('#/vaults', '#new-vault');
    await page.type('#new-vault-name', 'solana-ops');
    await page.select('#new-vault-algorithm', 'eddsa-ed25519');
    await page.type('#new-vault-refresh', '7');
    const created = await clickAndWait('#new-vault button[type=submit]');
    assert.deepEqual(created, [
      'ok',
      'Vault solana-ops is CREATING: the co-signers are generating its key.',
    ]);
    const { vaults } = (await call(w.hub, viewer, 'GET', '/v1/vaults')).json;
    const v = vaults.find((x: { name: string }) => x.name === 'solana-ops');
    assert.deepEqual([v.algorithm, v.refreshIntervalMs], ['eddsa-ed25519', 7 * 86_400_000]);
    await w.hub.stack.vaults.settle();
  });

  test('the private key never leaves the browser; every API request is signed', () => {
    const secrets = [w.admins[0], w.admins[1], viewer].map((a) =>
      pemOf(a).split('\n').slice(1, -2).join(''),
    );
    assert.ok(sent.length > 20);
    for (const r of sent) {
      assert.ok(r.url.startsWith(`${base}/`), r.url);
      const everything = `${r.url} ${JSON.stringify(r.headers)} ${r.body}`;
      assert.ok(!everything.includes('PRIVATE KEY'), r.url);
      for (const s of secrets) assert.ok(!everything.includes(s), r.url);
      if (new URL(r.url).pathname.startsWith('/v1/'))
        assert.match(r.headers.authorization ?? '', /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/, r.url);
    }
    assert.deepEqual(pageErrors, []);
  });
});
