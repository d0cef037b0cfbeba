// Lint: TypeScript rules plus the layering rules of DESIGN.md, enforced instead of hoped for.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'child_process', 'os', 'net', 'http', 'crypto', 'worker_threads'];

/** Markup sinks: mail text must never become HTML. */
const noHtmlSinks = [
  { selector: "AssignmentExpression[left.property.name=/^(innerHTML|outerHTML)$/]", message: 'Mail text is never rendered as HTML: build nodes with dom.h() or set textContent.' },
  { selector: "CallExpression[callee.property.name='insertAdjacentHTML']", message: 'Mail text is never rendered as HTML: build nodes with dom.h().' },
  { selector: "CallExpression[callee.object.name='document'][callee.property.name=/^(write|writeln)$/]", message: 'No document.write.' },
  { selector: "CallExpression[callee.property.name='createContextualFragment']", message: 'No HTML parsing of text.' },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', '.vite/**', 'dist/**', 'workspaces/demo/tree/**', 'tests/artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-empty-object-type': 'off',
      'no-control-regex': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js', 'scripts/**', 'bin/**'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['renderer/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer reaches the host only through the host API.' }],
          patterns: [
            {
              regex: '(^|/)workspaces/host/api(\\.js)?$',
              allowTypeImports: true,
              message: 'The renderer may import only types from workspaces/host/api.ts (use `import type`).',
            },
            {
              regex: '(^|/)workspaces/(?!host/api(\\.js)?$)',
              message: 'The renderer may import only types from workspaces/host/api.ts.',
            },
            { regex: '(^|/)(emulator|electron)/', message: 'The renderer reaches the emulator and the shell only through the host API.' },
            { group: nodeBuiltins, message: 'Renderer code is browser code: no Node built-ins.' },
          ],
        },
      ],
      'no-restricted-syntax': ['error', ...noHtmlSinks],
    },
  },
  {
    files: ['emulator/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The emulator knows nothing about the shell.' }],
          patterns: [{ regex: '(^|/)(workspaces|renderer|electron)/', message: 'The emulator knows nothing about mail, git or UI: it may not import workspaces/, renderer/ or electron/.' }],
        },
      ],
    },
  },
  {
    files: ['workspaces/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'Electron-specific code stays in electron/.' }],
          patterns: [{ regex: '(^|/)(renderer|electron)/', message: 'The engine does not import the UI or the shell.' }],
        },
      ],
    },
  },
);
