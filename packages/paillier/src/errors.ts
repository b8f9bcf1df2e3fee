/**
 * The typed error of every Paillier / ring-Pedersen validation. It is a DecodeError (so the
 * runtime turns it into blame when the value came from another party) that also says which
 * check failed, as a stable machine-readable reason.
 */
import { DecodeError } from '@quorate/runtime';

export type PaillierParamReason =
  | 'not-integer'
  | 'too-small'
  | 'even'
  | 'bit-length'
  | 'small-factor'
  | 'perfect-power'
  | 'prime'
  | 'out-of-range'
  | 'trivial'
  | 'equal'
  | 'not-coprime'
  | 'not-blum'
  | 'unknown-level';

export class PaillierParamError extends DecodeError {
  /** The field that failed, e.g. 'N', 's', 'payload.C'. Same as `path`. */
  readonly field: string;
  readonly reason: PaillierParamReason;

  constructor(field: string, reason: PaillierParamReason, expected: string) {
    super(field, expected);
    this.field = field;
    this.reason = reason;
  }
}
