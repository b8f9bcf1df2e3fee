/**
 * Writes docs/hub-api.md from the hub's OpenAPI document, formatted as the repository's
 * prettier check expects. Usage: node --import tsx packages/hub/scripts/gen-api-docs.ts
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { openApiDocument, renderApiDocs } from '../src/http/api-docs.ts';

const target = fileURLToPath(new URL('../../../docs/hub-api.md', import.meta.url));
const options = (await prettier.resolveConfig(target)) ?? {};
const text = await prettier.format(renderApiDocs(await openApiDocument()), {
  ...options,
  filepath: target,
});
writeFileSync(target, text);
console.log(`wrote ${target}`);
