import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

// Shared code has one neutral home (src-common for Node code, src-shared for code without Node);
// the servers and the client never import each other.
const noServerImports = {
  group: ['**/src-server/**'],
  message: 'The client never imports the servers: shared code belongs in src-common or src-shared.',
};

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'release', 'coverage', 'bench-results', '.lab-state'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    // The core and servers run without Electron; only the thin shell may import it.
    files: ['src-shared/**', 'src-common/**', 'src-server/**', 'src-main/core/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['electron'], patterns: ['electron/*'] }],
    },
  },
  {
    // The client (core, CLI, Electron shell) never imports the servers; tests and benches may,
    // to run a real server against it. Later blocks for src-main repeat this pattern, because
    // a later `no-restricted-imports` replaces an earlier one. src-main/core/testing is test
    // support (the in-memory internet runs the real relay and STUN logic): it counts as tests.
    files: ['src-main/**'],
    ignores: ['**/*.test.ts', '**/bench/**', 'src-main/core/testing/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [noServerImports] }],
    },
  },
  {
    files: ['src-main/core/**'],
    ignores: ['**/*.test.ts', '**/bench/**', 'src-main/core/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: ['electron'], patterns: [{ group: ['electron/*'] }, noServerImports] },
      ],
    },
  },
  {
    // Code both sides run (crypto) lives in src-common (Node) or src-shared (no Node): neither
    // the servers nor the client may reach into the other. Tests and benches may: they start a
    // real server to test the client against, or a real client to load the server.
    files: ['src-server/**'],
    ignores: ['**/*.test.ts', '**/bench/**', '**/*test-kit.ts', '**/test-support.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron'],
          patterns: [
            { group: ['electron/*'], message: 'The servers run without Electron.' },
            {
              group: ['**/src-main/**'],
              message:
                'Servers never import the client: shared code belongs in src-common or src-shared.',
            },
          ],
        },
      ],
    },
  },
  {
    // Connection code takes time from the injected Clock (src-main/core/time/clock.ts), so the
    // same code runs on a fake clock in the fast tests. Tests themselves may use real time.
    files: [
      'src-main/core/{connection,control,nat,net,party,paths,relay,tasks}/**',
      'src-main/core/lanrage-core.ts',
    ],
    ignores: [
      '**/*.test.ts',
      '**/bench/**',
      'src-main/core/paths/probe-test-peer.ts',
      'src-main/core/testing/**',
    ],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Use the injected Clock (clock.now()).' },
        {
          object: 'performance',
          property: 'now',
          message: 'Use the injected Clock (clock.nowPrecise()).',
        },
      ],
      'no-restricted-globals': [
        'error',
        ...['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval'].map((name) => ({
          name,
          message: 'Use the injected Clock (clock.setTimeout / sleep(clock, …)).',
        })),
      ],
    },
  },
  {
    // src-common: Node code that the servers and the client both run. It depends on neither.
    files: ['src-common/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron'],
          patterns: [
            { group: ['electron/*'], message: 'src-common runs without Electron.' },
            {
              group: ['**/src-main/**', '**/src-server/**', '**/src-renderer/**'],
              message: 'src-common depends only on src-shared and Node.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: ['electron'], patterns: ['node:*', 'electron/*'] },
      ],
    },
  },
  {
    // IPC goes through the contract (src-shared/ipc/contract.ts): only ipc-main.ts (handed
    // ipcMain by electron-main.ts) and the preload touch Electron's IPC objects.
    files: ['src-main/electron/**', 'src-main/preload/**'],
    ignores: ['src-main/electron/electron-main.ts', 'src-main/preload/preload.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              importNames: ['ipcMain', 'ipcRenderer'],
              message:
                'Use the typed contract: src-main/electron/ipc-main.ts or the preload bridge.',
            },
          ],
          patterns: [noServerImports],
        },
      ],
    },
  },
  {
    // The renderer also runs in a plain browser (web mode): no Electron, no Node.
    files: ['src-renderer/**'],
    ignores: ['src-renderer/vite.config.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: ['electron'], patterns: ['node:*', 'electron/*'] },
      ],
    },
  },
  {
    files: ['src-renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  prettier,
);
