import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { layersRule } from './scripts/eslint/layers-rule.js';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test/infra/**/target/**', '.infra/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Layering: every import in src/ points down (scripts/layers.js).
    files: ['src/**/*.{ts,mjs,js}'],
    plugins: { millrace: { rules: { layers: layersRule } } },
    rules: { 'millrace/layers': 'error' },
  },
);
