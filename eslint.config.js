// ESLint flat config. Type-unaware rules only, so lint stays fast on a 2-core CI machine;
// `npm run typecheck` does the type work.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'bench/peers/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        fetch: 'readonly',
        structuredClone: 'readonly',
        queueMicrotask: 'readonly',
        performance: 'readonly',
      },
    },
    rules: {
      // Only the CSPRNG may produce randomness (DEVELOPERS.md, Engineering standards).
      'no-restricted-properties': [
        'error',
        {
          object: 'Math',
          property: 'random',
          message: 'Use the CSPRNG (node:crypto / @noble/hashes randomBytes) or an injected Rng.',
        },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // The hub holds no key share: it may import only the message envelope of the runtime and the
    // dependency-free clique rule it shares with the co-signers.
    files: ['packages/hub/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@quorate/*', '!@quorate/runtime', '!@quorate/clique'],
              message:
                'The hub imports only @quorate/runtime/envelope and @quorate/clique (ARCHITECTURE.md).',
            },
            {
              group: ['@quorate/runtime', '@quorate/runtime/*', '!@quorate/runtime/envelope'],
              message: 'The hub imports only @quorate/runtime/envelope.',
            },
          ],
        },
      ],
    },
  },
);
