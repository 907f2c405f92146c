// Type-checked lint: a floating promise is a task that ends before its work does.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    // Plain-JS fixtures (post-renderers run by Helm) are data for tests, not project sources.
    ignores: [
      'node_modules/',
      'out/',
      'build/',
      'dist/',
      '.tools/',
      'scripts/',
      'bin/',
      'eslint.config.mjs',
      'test/fixtures/**/*.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Data is never a command: product code prints only through the agent logger, which
    // neutralises logging commands (tasks/common/agent/neutralise.ts).
    files: ['tasks/**/*.ts'],
    ignores: ['tasks/common/agent/logger.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'stdout',
          message: 'Print through the logger (tasks/common/agent/logger.ts).',
        },
        {
          object: 'process',
          property: 'stderr',
          message: 'Print through the logger (tasks/common/agent/logger.ts).',
        },
      ],
    },
  },
  {
    // Only the agent layer talks to the agent: task folders and the rest of the library get what
    // the agent hands them (inputs, connections, variables, results) through tasks/common/agent/.
    // Type-only imports are allowed: they are erased at build time and load nothing (task-lib reads
    // and deletes the job's secrets from the environment when it is first loaded).
    files: ['tasks/**/*.ts'],
    ignores: ['tasks/common/agent/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'azure-pipelines-task-lib',
                'azure-pipelines-task-lib/*',
                'azure-devops-node-api',
                'azure-devops-node-api/*',
              ],
              allowTypeImports: true,
              message: 'Only tasks/common/agent/ talks to the agent: use (or add) an agent-layer function.',
            },
          ],
        },
      ],
    },
  },
);
