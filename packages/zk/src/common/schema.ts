/**
 * Wire codecs for proof fields: big integers bounded by bit length (strict minimal hex, see the
 * runtime codec). The bounds only keep oversized input out before any arithmetic; the verifier
 * still checks every range the paper states.
 */
import { codec } from '@quorate/runtime';
import type { Schema } from '@quorate/runtime';

/** A non-negative integer of at most `bits` bits (e.g. an element of Z_N). */
export function natural(bits: number): Schema<bigint> {
  return codec.bigint({ maxBits: bits });
}

/** A signed integer of magnitude at most `bits` bits (e.g. a response z ∈ ±2^(ℓ+ε)·N̂). */
export function signed(bits: number): Schema<bigint> {
  return codec.bigint({ maxBits: bits, signed: true });
}
