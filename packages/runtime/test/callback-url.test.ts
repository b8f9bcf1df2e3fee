import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAllowedCallbackUrl } from '../src/callback-url.ts';

test('callback URLs: https anywhere, plain http only to this host', () => {
  for (const ok of [
    'https://handler.example.com/callback',
    'https://10.0.0.5:8443',
    'http://127.0.0.1:8787/callback',
    'http://localhost',
    'http://localhost/',
    'http://[::1]:9000/x',
  ])
    assert.equal(isAllowedCallbackUrl(ok), true, ok);
  for (const bad of [
    'http://handler.example.com/callback',
    'http://127.0.0.1.evil.example/callback',
    'http://localhost.evil.example',
    'http://127.0.0.2:8787',
    'http://[::1].evil:1',
    'ftp://127.0.0.1/',
    'HTTPS://handler.example.com',
    ' https://handler.example.com',
    '',
  ])
    assert.equal(isAllowedCallbackUrl(bad), false, bad);
});
