// Lint for what reviews miss: eval and its cousins, string-built SQL, unsafe regexes, and the
// TypeScript mistakes that hide bugs. Runs in `npm test`.
import tseslint from 'typescript-eslint';
import security from 'eslint-plugin-security';
import reactHooks from 'eslint-plugin-react-hooks';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'data/**', '.tmp/**', 'bench/out/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  security.configs.recommended,
  { files: ['apps/web/**/*.tsx'], plugins: { 'react-hooks': reactHooks }, rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' } },
  {
    rules: {
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
      // Kysely's `sql.raw` and `sql.lit` bypass parameters: they are refused outright.
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='sql'][property.name=/^(raw|lit|ref|id|table)$/]", message: 'Pas de SQL construit par chaîne : utilisez des paramètres.' },
      ],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Object-injection warnings fire on every indexed access to typed records: too noisy to act on.
      'security/detect-object-injection': 'off',
      'security/detect-non-literal-fs-filename': 'off',
    },
  },
);
