/**
 * Fiat-Shamir transcript (the lesson of TSSHOCK, CVE-2022-47930/47931: ambiguous encodings and
 * proofs not bound to their session break threshold ECDSA).
 *
 * Framing is injective: every item is absorbed as
 *     tag (1 byte) ‖ len(label) (u32 BE) ‖ label ‖ len(data) (u32 BE) ‖ data
 * and a big integer's data is sign (1 byte: 0 = non-negative, 1 = negative) ‖ magnitude, big-endian,
 * minimal (zero is the empty magnitude). So ["ab","c"] and ["a","bc"] differ, leading zeros and
 * signs are never lost, and a byte string can never pass for an integer.
 *
 * A transcript starts from a domain tag and the session context (session id, protocol, party set,
 * threshold), as multi-party-sig's hash does, and is forked per prover so every challenge is bound
 * to the prover's id. The state is SHAKE256; challenges are squeezed from a copy of the state, and
 * the challenge itself is then absorbed so later challenges depend on it.
 */
import { shake256 } from '@noble/hashes/sha3.js';
import type { PartyId } from './ids.ts';

const enum Tag {
  Domain = 1,
  Bytes = 2,
  BigInt = 3,
  Uint = 4,
  String = 5,
  Fork = 6,
  Challenge = 7,
  Context = 8,
}

type Keccak = ReturnType<typeof shake256.create>;
const te = new TextEncoder();

function u32(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff)
    throw new RangeError('transcript: length out of range');
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, false);
  return b;
}

/** Sign byte ‖ minimal big-endian magnitude. */
export function bigintBytes(x: bigint): Uint8Array {
  const neg = x < 0n;
  let mag = neg ? -x : x;
  const out: number[] = [];
  while (mag > 0n) {
    out.push(Number(mag & 0xffn));
    mag >>= 8n;
  }
  out.push(neg ? 1 : 0);
  return Uint8Array.from(out.reverse());
}

export interface TranscriptContext {
  readonly sessionId: Uint8Array;
  readonly protocol: string;
  readonly parties: readonly PartyId[];
  readonly threshold?: number;
}

export class Transcript {
  private constructor(private readonly state: Keccak) {}

  /** A fresh transcript under a domain tag, e.g. "quorate/zk/mod/v1". */
  static create(domain: string): Transcript {
    const t = new Transcript(shake256.create({}));
    t.absorb(Tag.Domain, 'domain', te.encode(domain));
    return t;
  }

  /** A transcript seeded with the session context: session id, protocol, party set, threshold. */
  static forSession(domain: string, ctx: TranscriptContext): Transcript {
    const t = Transcript.create(domain);
    t.absorb(Tag.Context, 'session', ctx.sessionId);
    t.absorb(Tag.Context, 'protocol', te.encode(ctx.protocol));
    t.absorb(Tag.Context, 'parties', Uint8Array.from(ctx.parties.flatMap((p) => [...u32(p)])));
    t.absorb(Tag.Context, 'threshold', u32(ctx.threshold ?? 0));
    return t;
  }

  private absorb(tag: Tag, label: string, data: Uint8Array): void {
    const l = te.encode(label);
    this.state
      .update(Uint8Array.of(tag))
      .update(u32(l.length))
      .update(l)
      .update(u32(data.length))
      .update(data);
  }

  appendBytes(label: string, data: Uint8Array): this {
    this.absorb(Tag.Bytes, label, data);
    return this;
  }

  appendBigInt(label: string, x: bigint): this {
    this.absorb(Tag.BigInt, label, bigintBytes(x));
    return this;
  }

  appendBigInts(label: string, xs: readonly bigint[]): this {
    this.absorb(Tag.Uint, label, u32(xs.length));
    xs.forEach((x, i) => this.absorb(Tag.BigInt, `${label}[${i}]`, bigintBytes(x)));
    return this;
  }

  appendUint(label: string, n: number): this {
    if (!Number.isSafeInteger(n) || n < 0)
      throw new RangeError(`transcript: ${label} must be a non-negative safe integer`);
    this.absorb(Tag.Uint, label, bigintBytes(BigInt(n)));
    return this;
  }

  appendString(label: string, s: string): this {
    this.absorb(Tag.String, label, te.encode(s));
    return this;
  }

  /** An independent copy bound to `label` and `prover`; the original is unchanged. */
  fork(label: string, prover: PartyId): Transcript {
    const t = new Transcript(this.state.clone());
    t.absorb(Tag.Fork, label, u32(prover));
    return t;
  }

  /** `len` challenge bytes. The challenge is absorbed, so the next one differs. */
  challengeBytes(label: string, len: number): Uint8Array {
    const squeezer = this.state.clone();
    const l = te.encode(label);
    squeezer.update(Uint8Array.of(Tag.Challenge)).update(u32(l.length)).update(l).update(u32(len));
    const out = squeezer.xof(len);
    this.absorb(Tag.Challenge, label, out);
    return out;
  }

  /** A challenge uniform in [0, q) up to 2^-128 statistical distance (128 extra bits, reduced). */
  challengeBelow(label: string, q: bigint): bigint {
    if (q <= 0n) throw new RangeError('transcript: modulus must be positive');
    const len = Math.ceil(q.toString(2).length / 8) + 16;
    return bytesToBigInt(this.challengeBytes(label, len)) % q;
  }

  /** A challenge uniform in [-q, q] (CGGMP21 §4: e ← ±q). */
  challengeSigned(label: string, q: bigint): bigint {
    return this.challengeBelow(label, 2n * q + 1n) - q;
  }
}

export function bytesToBigInt(b: Uint8Array): bigint {
  return b.length === 0
    ? 0n
    : BigInt('0x' + Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex'));
}
