import nx from '@nx/eslint-plugin';

/**
 * Dependencies point one way: apps → libs → platform-spec.
 * The knowledge base depends on nothing of ours, so any agent can use it alone.
 */
export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/out-tsc', '**/node_modules', '**/.nx', '**/vitest.config.*.timestamp*', '**/tmp'],
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints: [
            { sourceTag: 'scope:kb', onlyDependOnLibsWithTags: ['scope:kb'] },
            { sourceTag: 'type:spec', onlyDependOnLibsWithTags: ['type:spec'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:spec'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:spec'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', 'type:spec', 'type:tool'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
];
