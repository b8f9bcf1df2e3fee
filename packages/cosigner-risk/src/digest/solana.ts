/**
 * Solana digest check (docs/cosigner-risk.md, "Digest check"). Ed25519 signs the serialized
 * message itself, not a hash of it, so the "digest" of a Solana request is the message bytes.
 * We parse the transaction (legacy or v0) with @solana/web3.js, re-serialize its message and
 * compare; the System Program `Transfer` instructions are decoded (with web3.js's
 * SystemInstruction) into destination and lamports.
 *
 * Instructions of other programs are reported as warnings (Compute Budget ones are known to move
 * nothing); a v0 transfer whose accounts come from an address lookup table cannot be resolved
 * offline and is refused.
 */
import {
  ComputeBudgetProgram,
  SystemInstruction,
  SystemProgram,
  TransactionInstruction,
  VersionedTransaction,
} from '@solana/web3.js';
import type { Transfer } from '@quorate/callback';
import { DigestError } from './errors.ts';
import type { DecodedTx } from './types.ts';

export interface SolanaOptions {
  /** Asset name given to the transfers; default "SOL". */
  readonly asset?: string;
}

export function decodeSolana(raw: Uint8Array, opts: SolanaOptions = {}): DecodedTx {
  let tx: VersionedTransaction;
  try {
    tx = VersionedTransaction.deserialize(raw);
  } catch (e) {
    throw new DigestError('malformed', 'raw', 'not a serialized Solana transaction', { cause: e });
  }
  const msg = tx.message;
  const keys = msg.staticAccountKeys;
  const transfers: Transfer[] = [];
  const warnings: string[] = [];
  msg.compiledInstructions.forEach((ix, n) => {
    const program = keys[ix.programIdIndex];
    if (program === undefined)
      throw new DigestError(
        'malformed',
        `instructions.${n}.programIdIndex`,
        'program id outside the static keys',
      );
    if (program.equals(ComputeBudgetProgram.programId)) return;
    if (!program.equals(SystemProgram.programId)) {
      warnings.push(`instruction ${n}: program ${program.toBase58()} not decoded`);
      return;
    }
    const accounts = ix.accountKeyIndexes.map((k, j) => {
      const pubkey = keys[k];
      if (pubkey === undefined)
        throw new DigestError(
          'unsupported',
          `instructions.${n}.accounts.${j}`,
          'account from a lookup table',
        );
      return { pubkey, isSigner: msg.isAccountSigner(k), isWritable: msg.isAccountWritable(k) };
    });
    const instruction = new TransactionInstruction({
      programId: program,
      keys: accounts,
      data: Buffer.from(ix.data),
    });
    let type: string;
    try {
      type = SystemInstruction.decodeInstructionType(instruction);
    } catch (e) {
      throw new DigestError(
        'malformed',
        `instructions.${n}.data`,
        'not a System Program instruction',
        { cause: e },
      );
    }
    if (type !== 'Transfer') {
      warnings.push(`instruction ${n}: System Program ${type} not decoded`);
      return;
    }
    const t = SystemInstruction.decodeTransfer(instruction);
    transfers.push({
      destination: t.toPubkey.toBase58(),
      amount: t.lamports.toString(),
      asset: opts.asset ?? 'SOL',
    });
  });
  return {
    kind: 'solana',
    digests: [Buffer.from(msg.serialize()).toString('hex')],
    transfers,
    warnings,
  };
}
