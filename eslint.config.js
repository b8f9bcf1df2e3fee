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
    // The hub's web console runs in the browser (packages/hub/console, served by http/console.ts).
    files: ['packages/hub/console/**/*.js'],
    languageOptions: {
      globals: {
        document: 'readonly',
        window: 'readonly',
        location: 'readonly',
        crypto: 'readonly',
        Node: 'readonly',
        Element: 'readonly',
      },
    },
  },
  {
    // The hub holds no key share: it may import only the message envelope of the runtime, its
    // dependency-free bounded cache and callback-URL rule, and the dependency-free clique rule shared
    // with co-signers.
    files: ['packages/hub/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          // gitignore-style groups: a bare '@quorate/runtime' would exclude the whole directory,
          // and a negated file below it could not be let back in; the bare name is a path.
          paths: [
            {
              name: '@quorate/runtime',
              message: 'The hub imports only @quorate/runtime/envelope, /recent and /callback-url.',
            },
          ],
          patterns: [
            {
              group: ['@quorate/*', '!@quorate/runtime', '!@quorate/clique'],
              message:
                'The hub imports only @quorate/runtime/envelope, /recent, /callback-url and @quorate/clique (ARCHITECTURE.md).',
            },
            {
              group: [
                '@quorate/runtime/*',
                '!@quorate/runtime/envelope',
                '!@quorate/runtime/recent',
                '!@quorate/runtime/callback-url',
              ],
              message: 'The hub imports only @quorate/runtime/envelope, /recent and /callback-url.',
            },
          ],
        },
      ],
    },
  },
);
