import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryBackend } from '../src/physical.ts';
import { SqliteBackend } from '../src/sqlite.ts';
import { SecretStore, RecordType } from '../src/store.ts';
import { PassphraseSeal } from '../src/seals/passphrase.ts';
import { KeyFileSeal } from '../src/seals/keyfile.ts';
import {
  InitializationError,
  IntegrityError,
  RecordIdError,
  SealBlobError,
  SealedError,
  WrongSecretError,
} from '../src/errors.ts';
import { KEYRING_KEY } from '../src/barrier.ts';

const FAST = { N: 1024, r: 8, p: 1 };
const seal = () => new PassphraseSeal('pw', { scrypt: FAST });
const b = (...xs: number[]) => new Uint8Array(xs);

describe('secret store', () => {
  test('put/get round-trip, survives seal + unseal and reopen on SQLite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quorate-store-'));
    try {
      const path = join(dir, 'secrets.db');
      const s = await SecretStore.create(new SqliteBackend(path), seal());
      s.putKeyShare('wallet-1', 'share-0', b(1, 2, 3));
      s.put('identity-key', 'self', 'ed25519', b(4));
      s.seal();
      await s.unseal(seal());
      assert.deepEqual(s.getKeyShare('wallet-1', 'share-0'), b(1, 2, 3));
      s.close();
      const t = await SecretStore.open(new SqliteBackend(path), seal());
      assert.deepEqual(t.getKeyShare('wallet-1', 'share-0'), b(1, 2, 3));
      assert.deepEqual(t.get('identity-key', 'self', 'ed25519'), b(4));
      assert.equal(t.get('identity-key', 'self', 'missing'), undefined);
      t.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('stored bytes follow version | term | nonce | ct and contain no plaintext', async () => {
    const backend = new MemoryBackend();
    const s = await SecretStore.create(backend, seal());
    const secret = new TextEncoder().encode('a very secret key share');
    s.putKeyShare('w', 's', secret);
    const raw = Buffer.from(backend.get('r/key-share/w/s')!);
    assert.equal(raw[0], 1);
    assert.equal(raw.readUInt32BE(1), 1);
    assert.equal(raw.length, 1 + 4 + 12 + secret.length + 16);
    assert.equal(raw.includes(Buffer.from(secret)), false);
  });

  test('every operation fails with SealedError while sealed', async () => {
    const backend = new MemoryBackend();
    const s = await SecretStore.create(backend, seal());
    s.putKeyShare('w', 's', b(1));
    s.seal();
    const sealedOps: [string, () => unknown][] = [
      ['get', () => s.get('key-share', 'w', 's')],
      ['put', () => s.put('key-share', 'w', 's', b(2))],
      ['delete', () => s.delete('key-share', 'w', 's')],
      ['list', () => s.list('key-share')],
      ['putKeyShare', () => s.putKeyShare('w', 's', b(2))],
      ['getKeyShare', () => s.getKeyShare('w', 's')],
      ['rotate', () => s.rotate()],
      ['transaction', () => s.transaction(() => 1)],
    ];
    for (const [name, op] of sealedOps)
      assert.throws(op, (e: unknown) => e instanceof SealedError && e.code === 'sealed', name);
    await assert.rejects(s.barrier.rewrap(seal()), SealedError);
    assert.throws(() => s.barrier.terms(), SealedError);
    // A view opened without a seal is sealed too.
    const view = SecretStore.sealedView(backend);
    assert.equal(view.isSealed, true);
    assert.throws(
      () => view.getKeyShare('w', 's'),
      (e: unknown) => e instanceof SealedError && e.operation === 'transaction',
    );
    await view.unseal(seal());
    assert.deepEqual(view.getKeyShare('w', 's'), b(1));
  });

  test('sealing inside a transaction stops the rest of it', async () => {
    const s = await SecretStore.create(new MemoryBackend(), seal());
    assert.throws(
      () =>
        s.transaction((tx) => {
          tx.put('key-share', 'w', 'a', b(1));
          s.seal();
          tx.put('key-share', 'w', 'b', b(1));
        }),
      (e: unknown) => e instanceof SealedError && e.operation === 'write',
    );
    await s.unseal(seal());
    assert.deepEqual(s.list('key-share'), []);
  });

  test('a wrong passphrase gives WrongSecretError and the store stays sealed', async () => {
    const backend = new MemoryBackend();
    (await SecretStore.create(backend, seal())).putKeyShare('w', 's', b(1));
    const view = SecretStore.sealedView(backend);
    await assert.rejects(
      view.unseal(new PassphraseSeal('wrong', { scrypt: FAST })),
      (e: unknown) => e instanceof WrongSecretError && e.seal === 'passphrase',
    );
    assert.equal(view.isSealed, true);
    assert.throws(() => view.getKeyShare('w', 's'), SealedError);
  });

  test('a failed open releases the SQLite lock, so the store can be opened again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quorate-store-'));
    try {
      const path = join(dir, 'secrets.db');
      (await SecretStore.create(new SqliteBackend(path), seal())).close();
      await assert.rejects(
        SecretStore.open(new SqliteBackend(path), new PassphraseSeal('wrong', { scrypt: FAST })),
        WrongSecretError,
      );
      (await SecretStore.open(new SqliteBackend(path, { lockTimeoutMs: 50 }), seal())).close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('initialization: twice is refused, opening an empty backend is refused', async () => {
    const backend = new MemoryBackend();
    await SecretStore.create(backend, seal());
    await assert.rejects(
      SecretStore.create(backend, seal()),
      (e: unknown) => e instanceof InitializationError && e.code === 'already-initialized',
    );
    await assert.rejects(
      SecretStore.open(new MemoryBackend(), seal()),
      (e: unknown) => e instanceof InitializationError && e.code === 'not-initialized',
    );
  });

  describe('tampering', () => {
    const setup = async () => {
      const backend = new MemoryBackend();
      const s = await SecretStore.create(backend, seal());
      s.putKeyShare('w1', 's1', b(1, 2, 3, 4));
      s.putKeyShare('w1', 's2', b(5, 6, 7, 8));
      return { backend, s };
    };
    const flip = (backend: MemoryBackend, key: string, at: number) => {
      const raw = backend.get(key)!;
      raw[at] = (raw[at] ?? 0) ^ 0x01;
      backend.put(key, raw);
    };

    test('a flipped byte anywhere in nonce, ciphertext or tag fails with IntegrityError', async () => {
      const { backend, s } = await setup();
      const len = backend.get('r/key-share/w1/s1')!.length;
      for (let at = 5; at < len; at++) {
        flip(backend, 'r/key-share/w1/s1', at);
        assert.throws(
          () => s.getKeyShare('w1', 's1'),
          (e: unknown) =>
            e instanceof IntegrityError &&
            e.key === 'r/key-share/w1/s1' &&
            e.reason === 'authentication-failed',
          `byte ${at}`,
        );
        flip(backend, 'r/key-share/w1/s1', at);
      }
      assert.deepEqual(s.getKeyShare('w1', 's1'), b(1, 2, 3, 4));
    });

    test('a flipped version byte is a bad header; a changed term is an unknown term', async () => {
      const { backend, s } = await setup();
      flip(backend, 'r/key-share/w1/s1', 0);
      assert.throws(
        () => s.getKeyShare('w1', 's1'),
        (e: unknown) => e instanceof IntegrityError && e.reason === 'bad-header',
      );
      flip(backend, 'r/key-share/w1/s1', 0);
      flip(backend, 'r/key-share/w1/s1', 4); // term 1 -> 0
      assert.throws(
        () => s.getKeyShare('w1', 's1'),
        (e: unknown) => e instanceof IntegrityError && e.reason === 'unknown-term',
      );
      flip(backend, 'r/key-share/w1/s1', 4);
      // After a rotation term 2 exists; relabelling a term-1 record as term 2 fails authentication.
      s.rotate();
      const raw = Buffer.from(backend.get('r/key-share/w1/s1')!);
      raw.writeUInt32BE(2, 1);
      backend.put('r/key-share/w1/s1', raw);
      assert.throws(
        () => s.getKeyShare('w1', 's1'),
        (e: unknown) => e instanceof IntegrityError && e.reason === 'authentication-failed',
      );
    });

    test('truncated records fail with IntegrityError', async () => {
      const { backend, s } = await setup();
      backend.put('r/key-share/w1/s1', backend.get('r/key-share/w1/s1')!.subarray(0, 20));
      assert.throws(
        () => s.getKeyShare('w1', 's1'),
        (e: unknown) => e instanceof IntegrityError && e.reason === 'bad-header',
      );
    });

    test('a record moved to another id, owner or type fails to decrypt', async () => {
      const { backend, s } = await setup();
      const raw = backend.get('r/key-share/w1/s1')!;
      for (const [type, owner, id] of [
        ['key-share', 'w1', 's2'],
        ['key-share', 'w2', 's1'],
        ['identity-key', 'w1', 's1'],
      ] as const) {
        backend.put(`r/${type}/${owner}/${id}`, raw);
        assert.throws(
          () => s.get(type, owner, id),
          (e: unknown) =>
            e instanceof IntegrityError &&
            e.key === `r/${type}/${owner}/${id}` &&
            e.reason === 'authentication-failed',
        );
      }
    });

    test('a tampered keyring fails unseal with IntegrityError', async () => {
      const { backend } = await setup();
      flip(backend, KEYRING_KEY, 30);
      await assert.rejects(
        SecretStore.open(backend, seal()),
        (e: unknown) =>
          e instanceof IntegrityError &&
          e.key === KEYRING_KEY &&
          e.reason === 'authentication-failed',
      );
    });
  });

  test('rotation: new writes use the new term, old terms stay readable across reopen', async () => {
    const backend = new MemoryBackend();
    const s = await SecretStore.create(backend, seal());
    s.putKeyShare('w', 'old', b(1));
    assert.equal(s.rotate(), 2);
    s.putKeyShare('w', 'new', b(2));
    assert.equal(Buffer.from(backend.get('r/key-share/w/old')!).readUInt32BE(1), 1);
    assert.equal(Buffer.from(backend.get('r/key-share/w/new')!).readUInt32BE(1), 2);
    assert.equal(s.rotate(), 3);
    s.putKeyShare('w', 'old', b(3)); // rewritten under term 3
    assert.deepEqual(s.barrier.terms(), { active: 3, all: [1, 2, 3] });
    s.seal();
    const t = await SecretStore.open(backend, seal());
    assert.deepEqual(t.getKeyShare('w', 'old'), b(3));
    assert.deepEqual(t.getKeyShare('w', 'new'), b(2));
    assert.equal(Buffer.from(backend.get('r/key-share/w/old')!).readUInt32BE(1), 3);
  });

  test('rewrap moves the root key to another seal; the old one no longer opens it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quorate-store-'));
    try {
      const backend = new MemoryBackend();
      const s = await SecretStore.create(backend, seal());
      s.putKeyShare('w', 's', b(7));
      KeyFileSeal.generate(join(dir, 'k'));
      await s.barrier.rewrap(new KeyFileSeal(join(dir, 'k')));
      s.seal();
      await assert.rejects(
        SecretStore.sealedView(backend).unseal(seal()),
        (e: unknown) => e instanceof SealBlobError && e.field === 'seal',
      );
      const t = await SecretStore.open(backend, new KeyFileSeal(join(dir, 'k')));
      assert.deepEqual(t.getKeyShare('w', 's'), b(7));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('transactions are atomic; list filters by type and owner', async () => {
    const s = await SecretStore.create(new MemoryBackend(), seal());
    s.transaction((tx) => {
      tx.put(RecordType.keyShare, 'w1', 'a', b(1));
      tx.put(RecordType.keyShare, 'w1', 'b', b(2));
      tx.put(RecordType.keyShare, 'w2', 'a', b(3));
      tx.put(RecordType.identityKey, 'self', 'a', b(4));
      assert.deepEqual(tx.get(RecordType.keyShare, 'w1', 'b'), b(2));
    });
    assert.throws(() =>
      s.transaction((tx) => {
        tx.delete(RecordType.keyShare, 'w1', 'a');
        tx.put(RecordType.keyShare, 'w3', 'a', b(5));
        throw new Error('abort');
      }),
    );
    assert.deepEqual(s.list(RecordType.keyShare), [
      { type: 'key-share', owner: 'w1', id: 'a' },
      { type: 'key-share', owner: 'w1', id: 'b' },
      { type: 'key-share', owner: 'w2', id: 'a' },
    ]);
    assert.deepEqual(
      s.list(RecordType.keyShare, 'w1').map((r) => r.id),
      ['a', 'b'],
    );
    assert.deepEqual(
      s.list(RecordType.identityKey).map((r) => r.owner),
      ['self'],
    );
    assert.equal(s.delete(RecordType.keyShare, 'w1', 'a'), true);
    assert.equal(s.delete(RecordType.keyShare, 'w1', 'a'), false);
  });

  test('invalid names are refused with RecordIdError naming the field', async () => {
    const s = await SecretStore.create(new MemoryBackend(), seal());
    const cases: [string, () => unknown][] = [
      ['type', () => s.put('Key-Share', 'w', 'i', b(1))],
      ['type', () => s.list('')],
      ['owner', () => s.put('key-share', 'a/b', 'i', b(1))],
      ['owner', () => s.list('key-share', '')],
      ['id', () => s.get('key-share', 'w', '../x')],
      ['id', () => s.get('key-share', 'w', 'x'.repeat(129))],
      ['value', () => s.put('key-share', 'w', 'i', 'str' as unknown as Uint8Array)],
    ];
    for (const [field, op] of cases)
      assert.throws(op, (e: unknown) => e instanceof RecordIdError && e.field === field, field);
  });
});
