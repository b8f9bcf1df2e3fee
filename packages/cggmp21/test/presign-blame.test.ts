// Identifiable abort in presigning and signing: for every value a party sends, tampering makes
// the honest parties abort, name exactly the tampering party, and release no signature.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { sha256 } from '@noble/hashes/sha2.js';
import { flipHex, simulate, tamperField } from '@quorate/runtime/harness';
import type { Interceptor } from '@quorate/runtime/harness';
import type { Json, ProtocolDefinition } from '@quorate/runtime';
import { presign } from '../src/presign.ts';
import type { PresignConfig, PresignOutput } from '../src/presign.ts';
import { Presignature } from '../src/presignature.ts';
import { sign } from '../src/sign.ts';
import { loadShares } from './fixtures.ts';

const shares = loadShares(2, 3);
const byId = new Map(shares.map((s) => [s.core.i, s]));
const signers = [1, 2];

function runPresign(
  interceptors: Interceptor[],
  def: ProtocolDefinition<PresignOutput, PresignConfig> = presign,
  parties = signers,
) {
  const all = parties.length === 3 ? new Map(loadShares(3, 3).map((s) => [s.core.i, s])) : byId;
  return simulate(def, {
    parties,
    config: (p) => ({ share: all.get(p)! }),
    seed: 'blame',
    interceptors,
  });
}

/** Flips one response of a proof object (its z1, or z, or the first array entry's proof). */
function breakProof(p: Json): Json {
  if (Array.isArray(p))
    return p.map((e, n) =>
      n === 0
        ? {
            ...(e as Record<string, Json>),
            proof: breakProof((e as Record<string, Json>).proof as Json),
          }
        : e,
    );
  const o = p as Record<string, Json>;
  const key = 'z1' in o ? 'z1' : 'z' in o ? 'z' : 'w';
  return { ...o, [key]: flipHex(o[key] as Json) };
}

function expectBlame(
  r: ReturnType<typeof runPresign>,
  honest: number,
  culprit: number,
  reason?: RegExp,
) {
  assert.equal(r.outputs.has(honest), false, 'the honest party released nothing');
  const err = r.errors.get(honest);
  assert.equal(err?.kind, 'aborted', err?.message);
  assert.deepEqual(err?.culprits, [culprit], err?.message);
  if (reason) assert.match(err?.blame[0]?.reason ?? '', reason);
}

describe('presign: tampering in transit names the sender', () => {
  const cases: [number, string, (v: Json) => Json, RegExp][] = [
    [1, 'K', flipHex, /^Π\^enc proof for K fails \(equation-1\)$/],
    [1, 'G', flipHex, /^equivocation: party 2's round 1 broadcast differs/],
    [1, 'psi0', breakProof, /Π\^enc proof for K fails/],
    [2, 'Gamma', flipHex, /^(Π\^aff-g proof for D fails|malformed message)/],
    [2, 'D', flipHex, /^Π\^aff-g proof for D fails/],
    [2, 'F', flipHex, /^Π\^aff-g proof for D fails/],
    [2, 'Dhat', flipHex, /^Π\^aff-g proof for D̂ fails/],
    [2, 'Fhat', flipHex, /^Π\^aff-g proof for D̂ fails/],
    [2, 'psi', breakProof, /Π\^aff-g proof for D fails/],
    [2, 'psiHat', breakProof, /Π\^aff-g proof for D̂ fails/],
    [2, 'psiPrime', breakProof, /Π\^log\* proof for Γ fails/],
    [3, 'Delta', flipHex, /^(Π\^log\* proof for Δ fails|malformed message)/],
    [3, 'psi2', breakProof, /^Π\^log\* proof for Δ fails/],
    [3, 'delta', flipHex, /^equivocation: party 2's round 3 broadcast differs/],
    [3, 'S', flipHex, /^(equivocation: party 2's round 3 broadcast differs|malformed message)/],
  ];
  for (const [round, field, edit, reason] of cases) {
    test(`round ${round}: ${field}`, () => {
      const r = runPresign([tamperField({ from: 2, to: 1, round, phase: 'main' }, field, edit)]);
      // A value with its own proof fails that proof; a value without one (G before round 2, δ, S)
      // differs from what party 2 echoes in the reliable-broadcast round: equivocation.
      expectBlame(r, 1, 2, reason);
    });
  }
});

/**
 * A signer that sends a wrong δ_i or S_i to everyone alike (so the echo cannot catch it), and
 * then takes part in identification as if nothing happened. To make its own output check fail
 * too (so it reaches the identification round), it distorts its own view of another signer's
 * round-3 message.
 */
function malicious(field: 'delta' | 'S'): ProtocolDefinition<PresignOutput, PresignConfig> {
  type R3 = { delta: bigint; S: unknown; Delta: unknown };
  return {
    ...presign,
    create(ctx, config) {
      const m = presign.create(ctx, config);
      if (ctx.self !== 2) return m;
      return {
        start: () => m.start(),
        verify: (round, from, payload) => m.verify?.(round, from, payload),
        finish(round, inbox) {
          if (round === 3) {
            const distorted = new Map(
              [...inbox].map(([j, p]) => [
                j,
                j === 1
                  ? field === 'delta'
                    ? { ...(p as R3), delta: (p as R3).delta ^ 1n }
                    : { ...(p as R3), S: (p as R3).Delta }
                  : p,
              ]),
            );
            return m.finish(round, distorted);
          }
          const res = m.finish(round, inbox);
          if (round !== 2 || !('next' in res)) return res;
          return {
            next: res.next.map((o) => {
              const p = o.payload as R3;
              return {
                ...o,
                payload: field === 'delta' ? { ...p, delta: p.delta ^ 1n } : { ...p, S: p.Delta },
              };
            }),
          };
        },
      };
    },
  };
}

describe('presign: identification (Fig. 7, Output step 2) names a consistent liar', () => {
  test('a wrong δ_i sent to everyone is caught by Π^dec', () => {
    const r = runPresign([], malicious('delta'), [1, 2, 3]);
    for (const honest of [1, 3])
      expectBlame(r, honest, 2, /^δ_i is not the decryption of its ciphertexts/);
  });
  test('a wrong S_i sent to everyone is caught', () => {
    const r = runPresign([], malicious('S'), [1, 2, 3]);
    for (const honest of [1, 3]) expectBlame(r, honest, 2, /^S_i ≠ χ_i·Γ/);
  });
});

describe('sign: a bad partial signature names its sender', () => {
  test('σ tampered in transit', () => {
    const pre = runPresign([]);
    assert.equal(pre.errors.size, 0);
    const digest = sha256(new TextEncoder().encode('blame sigma'));
    const presigs = new Map([...pre.outputs].map(([p, o]) => [p, new Presignature(o)]));
    const r = simulate(sign, {
      parties: signers,
      config: (p) => ({ presignature: presigs.get(p)!, digest }),
      seed: 'sigma',
      interceptors: [tamperField({ from: 2, to: 1, round: 1 }, 'sigma', flipHex)],
    });
    expectBlame(r as never, 1, 2, /^partial signature σ does not match the presign commitments/);
  });
});

describe('presign: replays and time-outs', () => {
  test('messages replayed from an older session are dropped and the run completes', () => {
    const old = simulate(presign, {
      parties: signers,
      config: (p) => ({ share: byId.get(p)! }),
      seed: 'old',
      sessionId: new Uint8Array(32).fill(1),
    });
    const replays = old.sent.filter((d) => d.to === 1);
    const r = simulate(presign, {
      parties: signers,
      config: (p) => ({ share: byId.get(p)! }),
      seed: 'new',
      sessionId: new Uint8Array(32).fill(2),
      inject: replays,
    });
    assert.equal(r.errors.size, 0);
    assert.equal(r.outputs.size, 2);
    assert.equal(r.dropped.length, replays.length);
    assert.ok(
      r.dropped.every((d) => d.result.status === 'dropped' && d.result.reason === 'wrong-session'),
    );
  });

  test('a silent signer is an I/O time-out, never blame (callers may retry in a fresh session)', () => {
    const r = runPresign([(d) => (d.from === 2 && d.envelope.round === 2 ? [] : undefined)]);
    const err = r.errors.get(1);
    assert.equal(err?.kind, 'io');
    assert.equal(err?.timeout, true);
    assert.deepEqual(err?.missing, [2]);
    assert.deepEqual(err?.culprits, []);
    assert.equal(err?.retryable, true);
  });
});
