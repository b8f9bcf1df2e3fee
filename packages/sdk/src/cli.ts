/**
 * `quorate tx …` and `quorate tx cosigners …`: the user CLI over the SDK — create a transaction,
 * wait for its status, list, approve / reject / cancel, and manage co-signers. Connection from
 * flags or the environment (QUORATE_HUB_URL, QUORATE_API_USER, QUORATE_API_KEY_FILE). Output is
 * human-readable, or one JSON object on stdout with --json; progress goes to stderr.
 * Exit codes: 0 ok, 1 hub or network error, 2 usage, 4 transaction ended in a non-COMPLETED
 * final status (wait / create --wait).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { HubApiError, QuorateClient, WaitTimeoutError } from './client.ts';
import type { CreateTransactionBody } from './client.ts';

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

class UsageError extends Error {}

export const TX_USAGE = `Usage: quorate tx <command> [flags]

Commands:
  create --vault ID --account ID (--digest HEX | --evm HEX | --solana HEX | --message TEXT
         | --psbt HEX --digest HEX) [--operation OP] [--asset A] [--amount N]
         [--destination ADDR] [--note TEXT] [--idempotency-key KEY] [--wait] [--timeout S]
  get ID                        one transaction with its transitions
  wait ID [--timeout S]         poll until a final status (default 60 s)
  list [--status STATUS] [--limit N] [--before CURSOR]
                                transactions, newest first, a page at a time
  approve ID | reject ID | cancel ID
  cosigners list | get ID | rename ID NAME | pair-user ID API_USER_ID
            | callback ID (URL | --none) [--callback-key PEM_FILE] | unpair ID

Connection (flags or environment):
  --hub URL          QUORATE_HUB_URL
  --user ID          QUORATE_API_USER      the API user id (JWT sub)
  --key FILE         QUORATE_API_KEY_FILE  PKCS#8 PEM private key (RSA-2048, P-256 or Ed25519)
  --json             print one JSON object on stdout`;

const FLAGS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  hub: { type: 'string' },
  user: { type: 'string' },
  key: { type: 'string' },
  vault: { type: 'string' },
  account: { type: 'string' },
  digest: { type: 'string' },
  evm: { type: 'string' },
  solana: { type: 'string' },
  psbt: { type: 'string' },
  message: { type: 'string' },
  operation: { type: 'string' },
  asset: { type: 'string' },
  amount: { type: 'string' },
  destination: { type: 'string' },
  note: { type: 'string' },
  'idempotency-key': { type: 'string' },
  wait: { type: 'boolean' },
  timeout: { type: 'string' },
  status: { type: 'string' },
  limit: { type: 'string' },
  before: { type: 'string' },
  none: { type: 'boolean' },
  'callback-key': { type: 'string' },
} as const;

type Values = ReturnType<
  typeof parseArgs<{ options: typeof FLAGS; allowPositionals: true }>
>['values'];

export interface TxCommandDeps {
  readonly env?: NodeJS.ProcessEnv;
  /** Build the client (tests inject one). */
  readonly client?: (v: Values, env: NodeJS.ProcessEnv) => QuorateClient;
}

function defaultClient(v: Values, env: NodeJS.ProcessEnv): QuorateClient {
  const baseUrl = v.hub ?? env.QUORATE_HUB_URL;
  const apiUserId = v.user ?? env.QUORATE_API_USER;
  const keyFile = v.key ?? env.QUORATE_API_KEY_FILE;
  if (!baseUrl) throw new UsageError('--hub (or QUORATE_HUB_URL) is required');
  if (!apiUserId) throw new UsageError('--user (or QUORATE_API_USER) is required');
  if (!keyFile) throw new UsageError('--key (or QUORATE_API_KEY_FILE) is required');
  let pem: string;
  try {
    pem = readFileSync(keyFile, 'utf8');
  } catch {
    throw new UsageError(`--key: cannot read ${keyFile}`);
  }
  try {
    return new QuorateClient({ baseUrl, apiUserId, privateKey: pem });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

const HEX = /^(0x)?[0-9a-fA-F]+$/;

function hexFlag(v: string | undefined, name: string): string | undefined {
  if (v !== undefined && !HEX.test(v)) throw new UsageError(`--${name} must be hex`);
  return v;
}

function payloadOf(v: Values): CreateTransactionBody['payload'] {
  const digest = hexFlag(v.digest, 'digest');
  const evm = hexFlag(v.evm, 'evm');
  const solana = hexFlag(v.solana, 'solana');
  const psbt = hexFlag(v.psbt, 'psbt');
  if (psbt !== undefined) {
    if (digest === undefined) throw new UsageError('--psbt needs --digest (the input sighash)');
    if (evm ?? solana ?? v.message) throw new UsageError('give exactly one payload');
    return { type: 'psbt', psbt, digest };
  }
  const given = [digest, evm, solana, v.message].filter((x) => x !== undefined);
  if (given.length !== 1)
    throw new UsageError('give exactly one of --digest, --evm, --solana, --message, --psbt');
  if (digest !== undefined) return { type: 'raw', digest };
  if (evm !== undefined) return { type: 'evm', transaction: evm };
  if (solana !== undefined) return { type: 'solana', message: solana };
  return { type: 'message', message: v.message as string };
}

const OPERATIONS = ['TRANSFER', 'CONTRACT_CALL', 'RAW', 'TYPED_MESSAGE', 'MESSAGE', 'PSBT'];

function timeoutMs(v: Values): number {
  if (v.timeout === undefined) return 60_000;
  if (!/^\d+$/.test(v.timeout) || Number(v.timeout) < 1 || Number(v.timeout) > 86_400)
    throw new UsageError('--timeout must be whole seconds, 1..86400');
  return Number(v.timeout) * 1000;
}

function print(io: Io, json: boolean, value: unknown, human: string): void {
  io.out(json ? JSON.stringify(value) : human);
}

interface TxSummary {
  id: string;
  status: string;
  kind?: string;
  approvals?: { groups: { name: string; approvals: number; quorum: number }[] } | null;
}

/** One line per transaction: id, status, kind, and while approvals are needed where they stand. */
function txLine(tx: TxSummary): string {
  const approvals =
    tx.status === 'PENDING_AUTHORIZATION' && tx.approvals
      ? `  approvals ${tx.approvals.groups.map((g) => `${g.name} ${g.approvals}/${g.quorum}`).join(', ')}`
      : '';
  return `${tx.id}  ${tx.status}${tx.kind ? `  ${tx.kind}` : ''}${approvals}`;
}

export async function txCommand(
  argv: readonly string[],
  io: Io,
  deps: TxCommandDeps = {},
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: FLAGS, allowPositionals: true, strict: true });
  } catch (e) {
    io.err(`quorate tx: ${e instanceof Error ? e.message : String(e)}\n\n${TX_USAGE}`);
    return 2;
  }
  const { values: v, positionals } = parsed;
  const [cmd, ...args] = positionals;
  if (v.help || cmd === undefined || cmd === 'help') {
    io.out(TX_USAGE);
    return cmd === undefined && !v.help ? 2 : 0;
  }
  const json = v.json === true;
  const env = deps.env ?? process.env;
  try {
    const arg = (i: number, what: string): string => {
      const a = args[i];
      if (a === undefined) throw new UsageError(`${cmd}: ${what} is required`);
      return a;
    };
    const client = (deps.client ?? defaultClient)(v, env);
    const finish = (tx: { id: string; status: string }) => {
      print(io, json, tx, txLine(tx));
      return tx.status === 'COMPLETED' ? 0 : 4;
    };
    const wait = async (id: string) =>
      client.waitForTransaction(id, {
        timeoutMs: timeoutMs(v),
        onStatus: (s) => io.err(`${id}: ${s}`),
      });
    switch (cmd) {
      case 'create': {
        if (!v.vault) throw new UsageError('create: --vault is required');
        if (!v.account) throw new UsageError('create: --account is required');
        if (v.operation !== undefined && !OPERATIONS.includes(v.operation))
          throw new UsageError(`--operation must be one of ${OPERATIONS.join(', ')}`);
        const body: CreateTransactionBody = {
          vaultId: v.vault,
          accountId: v.account,
          payload: payloadOf(v),
          ...(v.operation
            ? { operation: v.operation as NonNullable<CreateTransactionBody['operation']> }
            : {}),
          ...(v.asset ? { asset: v.asset } : {}),
          ...(v.amount ? { amount: v.amount } : {}),
          ...(v.destination ? { destination: v.destination } : {}),
          ...(v.note ? { note: v.note } : {}),
        };
        const timeout = timeoutMs(v);
        const created = await client.createTransaction(
          body,
          v['idempotency-key'] ? { idempotencyKey: v['idempotency-key'] } : {},
        );
        if (!v.wait) {
          print(io, json, created, txLine(created));
          return 0;
        }
        io.err(`${created.id}: ${created.status}`);
        return finish(await client.waitForTransaction(created.id, { timeoutMs: timeout }));
      }
      case 'get': {
        const tx = await client.getTransaction(arg(0, 'the transaction id'));
        print(io, json, tx, JSON.stringify(tx, null, 2));
        return 0;
      }
      case 'wait':
        return finish(await wait(arg(0, 'the transaction id')));
      case 'list': {
        const query: Record<string, unknown> = {};
        if (v.status) query['status'] = v.status;
        if (v.before) query['before'] = v.before;
        if (v.limit !== undefined) {
          const n = Number(v.limit);
          if (!Number.isInteger(n) || n < 1 || n > 200)
            throw new UsageError('--limit must be a whole number from 1 to 200');
          query['limit'] = n;
        }
        const res = await client.listTransactions(
          query as Parameters<typeof client.listTransactions>[0],
        );
        const page = res as { transactions?: TxSummary[]; next?: string | null };
        const lines = (page.transactions ?? []).map(txLine);
        if (page.next) lines.push(`(older ones: list --before ${page.next})`);
        print(io, json, res, lines.join('\n') || '(no transactions)');
        return 0;
      }
      case 'approve':
      case 'reject':
      case 'cancel': {
        const id = arg(0, 'the transaction id');
        const tx =
          cmd === 'approve'
            ? await client.approveTransaction(id)
            : cmd === 'reject'
              ? await client.rejectTransaction(id)
              : await client.cancelTransaction(id);
        print(io, json, tx, txLine(tx as TxSummary));
        return 0;
      }
      case 'cosigners':
        return await cosigners(client, args, v, io, json);
      default:
        throw new UsageError(`unknown command "${cmd}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`quorate tx: ${e.message}\n\n${TX_USAGE}`);
      return 2;
    }
    if (e instanceof HubApiError || e instanceof WaitTimeoutError) {
      io.err(`quorate tx: ${e.message}`);
      if (json)
        io.out(
          JSON.stringify(
            e instanceof HubApiError
              ? { error: { status: e.status, code: e.code, message: e.message, field: e.field } }
              : { error: { code: 'wait_timeout', id: e.transactionId, status: e.lastStatus } },
          ),
        );
      return 1;
    }
    io.err(`quorate tx: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

async function cosigners(
  client: QuorateClient,
  args: readonly string[],
  v: Values,
  io: Io,
  json: boolean,
): Promise<number> {
  const [sub, id, extra] = args;
  const need = (x: string | undefined, what: string): string => {
    if (x === undefined) throw new UsageError(`cosigners ${sub ?? ''}: ${what} is required`);
    return x;
  };
  const show = (x: unknown) => print(io, json, x, JSON.stringify(x, null, 2));
  switch (sub) {
    case 'list': {
      const res = await client.listCosigners();
      const list = (res as { cosigners?: Array<{ id: string; name: string; health?: string }> })
        .cosigners;
      print(
        io,
        json,
        res,
        list ? list.map((c) => `${c.id}  ${c.name}  ${c.health ?? ''}`).join('\n') : '',
      );
      return 0;
    }
    case 'get':
      show(await client.getCosigner(need(id, 'the co-signer id')));
      return 0;
    case 'rename':
      show(
        await client.renameCosigner(need(id, 'the co-signer id'), { name: need(extra, 'NAME') }),
      );
      return 0;
    case 'pair-user':
      show(
        await client.pairApiUser(need(id, 'the co-signer id'), {
          apiUserId: need(extra, 'API_USER_ID'),
        }),
      );
      return 0;
    case 'callback': {
      const cid = need(id, 'the co-signer id');
      if (v.none === true && extra !== undefined) throw new UsageError('give URL or --none');
      const url = v.none === true ? null : need(extra, 'URL (or --none)');
      let publicKey: string | undefined;
      if (v['callback-key'] !== undefined) {
        try {
          publicKey = readFileSync(v['callback-key'], 'utf8');
        } catch {
          throw new UsageError(`--callback-key: cannot read ${v['callback-key']}`);
        }
      }
      show(
        await client.setCallbackHandler(cid, {
          url,
          ...(publicKey !== undefined ? { publicKey } : {}),
        }),
      );
      return 0;
    }
    case 'unpair':
      show(await client.unpairCosigner(need(id, 'the co-signer id')));
      return 0;
    default:
      throw new UsageError(`cosigners: unknown command "${sub ?? ''}"`);
  }
}
