import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import vueParser from 'vue-eslint-parser';
import { layerBoundaries } from './scripts/eslint-layers.mjs';

export default defineConfig(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'bench/results/**', 'test/fixtures/lint/**', '.scratch/**', 'data/**', 'models/**'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.vue'],
    languageOptions: { parser: vueParser, parserOptions: { parser: tseslint.parser, sourceType: 'module' } },
  },
  {
    files: ['**/*.{ts,mts,js,mjs,vue}'],
    plugins: { earmark: { rules: { 'layer-boundaries': layerBoundaries } } },
    rules: {
      'earmark/layer-boundaries': 'error',
      // TypeScript (tsc, vue-tsc) checks names against the real environments: Node, workers, the browser.
      'no-undef': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  // Test fakes stand in for typed clients and read back whatever they were called with.
  { files: ['test/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
);

