// The Nest starter's lint set-up: typescript-eslint's type-checked rules with prettier.
import eslint from '@eslint/js';
import eslintPluginPrettierRecommended from 'eslint-plugin-prettier/recommended';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The layering, checked: an app imports no other app, the domain (libs/fmnist) nothing of the
 * project, the platform nothing of the domain or the registry, a library no app. Relative paths
 * are matched by the folder they climb into (`../../classifier/...`), package imports by name
 * (`#fmnist`). One entry per folder: flat config replaces, not merges, a rule's options.
 * test/layering.spec.ts proves that each restriction fails a wrong import.
 */
const climbInto = (...folders) => `^(\\.\\./)+(${folders.join('|')})/`;
const restrict = (files, regex, message) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: [{ regex, message }] }],
  },
});
const apps = ['gateway', 'classifier', 'trainer'];
export const layering = [
  ...apps.map((app) => {
    const others = apps.filter((other) => other !== app).join('|');
    return restrict(
      [`apps/${app}/**/*.ts`],
      `${climbInto(others, 'apps')}|(^|/)apps/(${others})/`,
      `apps/${app} must not import another app: share it through a library.`,
    );
  }),
  restrict(
    ['libs/fmnist/**/*.ts'],
    `^#|${climbInto('apps', 'libs', 'tools', 'platform', 'model-registry')}`,
    'libs/fmnist is the framework-free domain: it imports nothing of the project.',
  ),
  restrict(
    ['libs/platform/**/*.ts'],
    `^#(fmnist|model-registry)|${climbInto('apps', 'fmnist', 'model-registry')}`,
    'libs/platform is domain-free infrastructure: it must not import the domain or the model registry.',
  ),
  restrict(
    ['libs/model-registry/**/*.ts'],
    climbInto('apps'),
    'a library must not import an app.',
  ),
];

export default tseslint.config(
  {
    ignores: [
      'eslint.config.mjs',
      'dist/**',
      'node_modules/**',
      '.data/**',
      'test-output/**',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  eslintPluginPrettierRecommended,
  {
    languageOptions: {
      globals: {
        ...globals.node,
      },
      sourceType: 'module',
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      // `const { omitted, ...rest } = value` is how a field is left out of a copy.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { ignoreRestSiblings: true },
      ],
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test's describe/it return promises the runner itself awaits.
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['describe', 'it', 'test', 'suite'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-unsafe-argument': 'warn',
    },
  },
  {
    // The web page's plain browser scripts: outside the TypeScript project, so no type-aware rules.
    files: ['apps/gateway/client/**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: { ...globals.browser },
    },
  },
  ...layering,
);
