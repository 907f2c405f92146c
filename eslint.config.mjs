// Type-checked lint: a floating promise is a task that ends before its work does.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** azure-pipelines-task-lib and azure-devops-node-api: the agent layer's alone. */
const AGENT_PACKAGES = {
  group: [
    'azure-pipelines-task-lib',
    'azure-pipelines-task-lib/*',
    'azure-devops-node-api',
    'azure-devops-node-api/*',
  ],
  // Type-only imports are erased at build time and load nothing (task-lib reads and deletes the
  // job's secrets from the environment when it is first loaded).
  allowTypeImports: true,
  message: 'Only tasks/common/agent/ talks to the agent: use (or add) an agent-layer function.',
};

/** Library folders with a front door (index.ts): task folders import the door, not the rooms. */
const FRONT_DOORS = {
  // Every library part (tasks/common/<part>/); test/architecture/layers.test.ts checks the same.
  group: ['**/common/*/*'],
  message: "Import the library folder's front door (../common/<folder>), not a file inside it.",
};

function agentOnlyImports() {
  const rule = (...patterns) => ({
    '@typescript-eslint/no-restricted-imports': ['error', { patterns }],
  });
  return [
    {
      // Only the agent layer talks to the agent: the rest of the library gets what the agent hands
      // a task (inputs, connections, variables) through tasks/common/agent/.
      files: ['tasks/common/**/*.ts'],
      ignores: ['tasks/common/agent/**'],
      rules: rule(AGENT_PACKAGES),
    },
    {
      // Task folders hold inputs, orchestration and summaries, and reach the library by its doors.
      files: ['tasks/*/**/*.ts'],
      ignores: ['tasks/common/**'],
      rules: rule(AGENT_PACKAGES, FRONT_DOORS),
    },
  ];
}

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
      // The task bundles are ES modules split at dynamic imports; a CommonJS package imported
      // dynamically there exposes only `default`. Import it statically in a module of ours and
      // import that module lazily (tasks/common/signatures/sigstoreLibraries.ts).
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportExpression[source.value=/^[^.]/]',
          message: "Import a package lazily through a module of ours, not import('<package>').",
        },
      ],
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
  ...agentOnlyImports(),
);
