// The `quorate` command: dispatch, --help, --json, usage errors and exit codes.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../src/main.ts';
import type { Io } from '../src/args.ts';

function capture(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

describe('quorate CLI', () => {
  test('no arguments prints usage and exits 2', async () => {
    const io = capture();
    assert.equal(await main([], io), 2);
    assert.match(io.stdout.join(''), /Usage: quorate <group>/);
  });

  test('--help lists every group and exits 0', async () => {
    const io = capture();
    assert.equal(await main(['--help'], io), 0);
    for (const g of ['sim', 'hub', 'cosigner', 'recovery', 'tx', 'dev'])
      assert.match(io.stdout.join(''), new RegExp(`\\b${g}\\b`));
  });

  test('unknown group exits 2 with a hint', async () => {
    const io = capture();
    assert.equal(await main(['nope'], io), 2);
    assert.match(io.stderr.join(''), /unknown command group "nope"/);
  });

  test('sim toy --json prints one JSON object with the agreed coin', async () => {
    const io = capture();
    assert.equal(await main(['sim', 'toy', '--parties', '4', '--json'], io), 0);
    assert.equal(io.stdout.length, 1);
    const out = JSON.parse(io.stdout[0] as string);
    assert.deepEqual(out.parties, [1, 2, 3, 4]);
    assert.match(out.coin, /^[0-9a-f]{64}$/);
    assert.equal(out.messages, 36);
  });

  test('bad flag values exit 2 and say what is expected', async () => {
    const io = capture();
    assert.equal(await main(['sim', 'toy', '--parties', '1'], io), 2);
    assert.match(io.stderr.join(''), /--parties must be between 2 and 64 \(got 1\)/);
    const io2 = capture();
    assert.equal(await main(['sim', 'toy', '--bogus'], io2), 2);
    assert.match(io2.stderr.join(''), /Unknown option '--bogus'/);
  });

  test('sim --help exits 0', async () => {
    const io = capture();
    assert.equal(await main(['sim', '--help'], io), 0);
    assert.match(io.stdout.join(''), /Usage: quorate sim/);
  });
});

describe('quorate sim ecdsa: arguments are checked before any work starts', () => {
  const cases: [string[], RegExp][] = [
    [['--threshold', '2', '--parties', '3'], /--message is required/],
    [['--message', 'x', '--level', '1024'], /--level must be 2048 or 3072 \(got "1024"\)/],
    [['--message', 'x', '--hash', 'md5'], /--hash must be sha256, keccak256 or none \(got "md5"\)/],
    [['--message', 'x', '--signers', '1,2,3'], /needs exactly 2 signers \(got 3\)/],
    [['--message', 'x', '--signers', '1,9'], /--signers: party 9 is not in 1\.\.3/],
    [['--message', 'x', '--path', "m/0'/1"], /hardened/],
    [['--message', 'x', '--hash', 'none'], /--message must be the 32-byte digest as 64 hex digits/],
    [['--message', 'x', '--threshold', '4'], /--threshold must be between 2 and 3 \(got 4\)/],
  ];
  for (const [args, expected] of cases) {
    test(args.join(' '), async () => {
      const io = capture();
      assert.equal(await main(['sim', 'ecdsa', ...args], io), 2);
      assert.match(io.stderr.join(''), expected);
      assert.deepEqual(io.stdout, []);
    });
  }
});
