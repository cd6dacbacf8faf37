import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

const pureLayers = ['src/trainers/**', 'src/data/**', 'src/mlflow/**', 'src/report/**', 'src/notebook/**'];

export default tseslint.config(
  { ignores: ['dist', 'node_modules', '.venv-mlflow', 'test-results', 'playwright-report', 'bench-results', '.tmp', 'scratch', '**/*.generated.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // React layers: hooks are called in the same order on every render, and effects and memos list what they read.
    files: ['src/app/**/*.{ts,tsx}', 'src/notebook-cells/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    // Pure modules run in workers, node tests and the CLI pipeline: no React, no store, no DOM-only cells.
    files: pureLayers,
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['react', 'react-dom', 'react/*', 'zustand', 'zustand/*', 'plotly.js*'], message: 'pure modules must not import UI libraries' },
          { group: ['**/app/**', '**/notebook-cells/**', '**/workers/**'], message: 'pure modules must not import the app, cells or workers' },
        ],
      }],
    },
  },
  {
    // Workers are thin switches around pure code.
    files: ['src/workers/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['react', 'react-dom', 'zustand', 'plotly.js*'], message: 'workers must not import UI libraries' },
          { group: ['**/app/**', '**/notebook-cells/**'], message: 'workers must not import the app or cells' },
        ],
      }],
    },
  },
  {
    // The node CLI runs the pure layers (and the UI-free worker protocols and search pool), never the page.
    files: ['src/pipeline/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['react', 'react-dom', 'react/*', 'zustand', 'zustand/*', 'plotly.js*'], message: 'the pipeline must not import UI libraries' },
          { group: ['**/app/**', '**/notebook-cells/**'], message: 'the pipeline must not import the app or cells; move pure code to src/notebook' },
        ],
      }],
    },
  },
  {
    files: ['scripts/**/*.mjs', 'e2e/**'],
    languageOptions: { globals: { document: 'readonly', window: 'readonly', navigator: 'readonly', process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly', fetch: 'readonly', AbortController: 'readonly', performance: 'readonly', setInterval: 'readonly', clearInterval: 'readonly' } },
  },
);
