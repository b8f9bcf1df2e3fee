#!/usr/bin/env node
// Entry point of `npx quorate`. Sources are TypeScript run through tsx's loader, so a checkout
// needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
