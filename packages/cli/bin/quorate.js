#!/usr/bin/env node
// Entry point of `npx quorate`. Sources are TypeScript run through tsx's loader, so a checkout
// needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
// Exit as soon as the command is done: a long-running command (a co-signer) may still have work
// that cannot be cancelled on the thread pool (OpenSSL generating a safe prime), which would
// otherwise hold a clean shutdown for seconds. Output is already written (stdio is synchronous
// for files and pipes on Linux).
process.exit(await main(process.argv.slice(2)));
