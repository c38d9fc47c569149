// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

/**
 * The layer table from ARCHITECTURE.md, enforced: each folder lists what it must not import.
 * shared → nothing of ours (and no Node built-ins); collector, main/services → shared only;
 * main → services + shared; preload → shared; renderer → shared only. electron/node holds Node
 * helpers (files, modes) that both processes use: it imports shared only, and collector, services
 * and main may import it.
 */
const ours = {
  node: ['**/electron/node/**', '../node/**', '../../node/**', '../../../node/**'],
  collector: ['**/electron/collector/**', '../collector/**', '../../collector/**'],
  services: ['**/electron/main/services/**', '**/main/services/**', '**/services/**'],
  main: ['**/electron/main/**', '../main/**', '../../main/**'],
  preload: ['**/electron/preload/**', '../preload/**'],
  renderer: ['**/renderer/**'],
};
const nodeBuiltins = [
  'node:*',
  'fs',
  'path',
  'http',
  'https',
  'net',
  'child_process',
  'os',
  'crypto',
  'stream',
  'url',
  'worker_threads',
  'electron',
  'better-sqlite3',
  'ws',
  'node-notifier',
];

/** @param {string[]} groups @param {string} why */
const forbid = (groups, why) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: groups, message: why }] }],
});

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'renderer/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'Inject a Clock (shared/clock.ts) instead of reading Date.now() in logic.',
        },
      ],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: forbid(
      [
        ...ours.collector,
        ...ours.services,
        ...ours.main,
        ...ours.preload,
        ...ours.renderer,
        ...nodeBuiltins,
        '**/electron/**',
      ],
      'shared/ is pure: it imports nothing with I/O and nothing of ours outside shared/.',
    ),
  },
  {
    files: ['electron/node/**/*.ts'],
    rules: forbid(
      [...ours.collector, ...ours.services, ...ours.main, ...ours.preload, ...ours.renderer, 'electron'],
      'electron/node holds Node helpers both processes share: it may import shared/ only.',
    ),
  },
  {
    files: ['electron/collector/**/*.ts'],
    rules: forbid(
      [...ours.services, ...ours.main, ...ours.preload, ...ours.renderer, 'electron'],
      'The collector may import shared/ only.',
    ),
  },
  {
    files: ['electron/main/services/**/*.ts'],
    rules: forbid(
      [
        ...ours.collector,
        ...ours.preload,
        ...ours.renderer,
        'electron',
        '**/headless*',
        '**/demo*',
        '**/security*',
        '**/main/index*',
      ],
      'main/services is Electron-free and may import shared/ only (never the Electron glue in electron/main/*.ts).',
    ),
  },
  {
    files: ['electron/main/*.ts'],
    rules: forbid(
      [...ours.collector, ...ours.preload, ...ours.renderer],
      'electron/main wires services and shared; it starts the collector as a process, never imports it.',
    ),
  },
  {
    files: ['electron/preload/**/*.ts'],
    rules: forbid(
      [...ours.node, ...ours.collector, ...ours.services, ...ours.main, ...ours.renderer],
      'The preload exposes the typed Api and imports shared/ types only.',
    ),
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...forbid(
        [...ours.collector, ...ours.services, ...ours.main, ...ours.preload, ...nodeBuiltins, '**/electron/**'],
        'The renderer imports shared/ only; everything else goes through the VigilApi.',
      ),
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', '*.config.*', '*.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
