import path from 'node:path';
import {
  agentLogger,
  azureConnectionCredential,
  setTaskOutcome,
  allowMultiLineVariables,
  keyVaultSecrets,
  setSecretVariables,
  setOutput,
  uploadSummary,
  defaultWorkingDirectory,
  matchInputFiles,
} from '../common/agent';
import { UserError } from '../common/errors';
import { replaceFilesAtomically } from '../common/files';
import {
  planInjection,
  summaryMarkdown,
  resolveVaultAddress,
  createVaultReader,
  unverifiedVaultWarning,
} from '../common/keyvault';
import type { Logger } from '../common/log';
import { readInputs } from './inputs';

/** The title of the task's build summary section, and of the failure summary runTask uploads. */
export const SUMMARY_TITLE = 'Inject Key Vault secrets';

export type TaskStage = 'prejob' | 'job';

/**
 * The stage this process runs in. The agent passes a Node task nothing but the file it starts:
 * prejob.js for the pre-job stage (task.json prejobexecution), index.js for the step itself.
 */
export function taskStage(argv: readonly string[] = process.argv): TaskStage {
  return path.basename(argv[1] ?? '') === 'prejob.js' ? 'prejob' : 'job';
}

function countingLogger(): Logger & { warnings: () => number } {
  let warnings = 0;
  return {
    ...agentLogger,
    warn: (message) => {
      warnings++;
      agentLogger.warn(message);
    },
    warnings: () => warnings,
  };
}

export async function injectKeyVaultSecretsTask(): Promise<void> {
  const stage = taskStage();
  const options = readInputs();
  if (options.runAsPreJob !== (stage === 'prejob')) {
    const why = options.runAsPreJob ? 'it ran in the pre-job stage (runAsPreJob)' : 'runAsPreJob is false';
    setTaskOutcome('Skipped', `Skipped in the ${stage === 'prejob' ? 'pre-job stage' : 'step'}: ${why}.`);
    return;
  }
  if (stage === 'prejob' && options.targetFiles.length > 0) {
    throw new UserError(
      'targetFiles cannot be used with runAsPreJob: the pre-job stage runs before the sources are checked out. ' +
        'Use a second step without runAsPreJob for the files.',
    );
  }
  const started = Date.now();
  const logger = countingLogger();
  const azure = await azureConnectionCredential(options.azureSubscription);
  const vault = resolveVaultAddress(options.keyVaultName, azure.cloud.keyVaultDnsSuffix);
  const warning = unverifiedVaultWarning(vault, azure.cloud.keyVaultDnsSuffix);
  if (warning) agentLogger.warn(warning);
  const reader = createVaultReader({
    vault,
    credential: azure.credential,
    additionalPolicies: azure.clientOptions.additionalPolicies,
  });
  const workingDirectory = defaultWorkingDirectory();
  const files = matchInputFiles(workingDirectory, options.targetFiles, 'targetFiles', {
    ifNone: 'warn',
    logger,
  });
  const plan = await agentLogger.group(`Secrets from ${vault.label} (${azure.connectionLabel})`, () =>
    planInjection(
      { ...options, files, concurrency: options.concurrency },
      { reader, secrets: keyVaultSecrets, logger },
    ),
  );
  if (options.setVariables) allowMultiLineVariables(plan.variables);

  const changed = plan.files.filter((f) => f.changed);
  await replaceFilesAtomically(changed.map((f) => ({ path: f.path, bytes: f.output })));
  changed.forEach((f) =>
    agentLogger.info(`${f.path}: ${f.replaced.length} placeholder(s) replaced (${f.encoding}).`),
  );
  if (options.setVariables) setSecretVariables(plan.variables, options.outputVariables);
  plan.variables.forEach((v) =>
    agentLogger.debug(`Secret variable ${v.variable} from ${v.secret} version ${v.resolvedVersion}.`),
  );
  setOutput('secretCount', plan.used.length);
  setOutput('filesChanged', changed.length);

  const seconds = (Date.now() - started) / 1000;
  const t = reader.stats;
  agentLogger.info(
    `${plan.used.length} secret(s) from ${vault.label}: ${plan.variables.length} variable(s), ${changed.length} file(s) changed; ` +
      `${t.requests} request(s), ${t.throttled} throttled answer(s) waited out, ${seconds.toFixed(1)} s.`,
  );
  uploadSummary(
    SUMMARY_TITLE,
    summaryMarkdown(plan, {
      vault: vault.label,
      stage: stage === 'prejob' ? 'pre-job' : 'job',
      workingDirectory,
      throttling: t,
      seconds,
    }),
  );
  const issues = logger.warnings() > 0;
  setTaskOutcome(
    issues ? 'SucceededWithIssues' : 'Succeeded',
    `${plan.used.length} secret(s) injected${issues ? ', with warnings' : ''}.`,
  );
}
