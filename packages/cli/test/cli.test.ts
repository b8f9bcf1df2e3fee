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
    for (const g of ['sim', 'hub', 'cosigner', 'recovery', 'dev'])
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
