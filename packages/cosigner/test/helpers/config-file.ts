/**
 * The tests' co-signer configuration: everything under `dir` (data, counter, a key-file seal) and
 * the smallest valid rules (signing allowed, nothing else), plus any extra YAML lines.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function writeKeyFileConfig(dir: string, extra: readonly string[] = []): string {
  const file = join(dir, 'cosigner.yaml');
  writeFileSync(
    file,
    [
      `dataDir: ${join(dir, 'data')}`,
      `counterFile: ${join(dir, 'counter', 'consumed.ctr')}`,
      'seal:',
      '  kind: keyfile',
      `  path: ${join(dir, 'seal.key')}`,
      'risk:',
      '  operations:',
      '    sign: {}',
      ...extra,
    ].join('\n'),
  );
  return file;
}
