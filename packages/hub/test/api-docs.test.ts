/** docs/hub-api.md is what scripts/gen-api-docs.ts generates from the current OpenAPI document. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { openApiDocument, renderApiDocs } from '../src/http/api-docs.ts';

test('docs/hub-api.md is up to date (regenerate: node --import tsx packages/hub/scripts/gen-api-docs.ts)', async () => {
  const target = fileURLToPath(new URL('../../../docs/hub-api.md', import.meta.url));
  const options = (await prettier.resolveConfig(target)) ?? {};
  const expected = await prettier.format(renderApiDocs(await openApiDocument()), {
    ...options,
    filepath: target,
  });
  assert.equal(readFileSync(target, 'utf8'), expected);
});
