// The pipeline run that promotes, for the promotion record: the agent's System.* and Build.*
// variables, and the run's approvals and checks read from Azure DevOps with the job's access token
// (./devOpsApprovals, loading azure-devops-node-api on first use). Nothing here fails the task: a
// fact the job cannot read is recorded as unknown, with a warning naming what to grant.
import * as tl from 'azure-pipelines-task-lib/task';
import { UNKNOWN, type CheckFacts, type Known, type PipelineRunFacts } from '../signatures';
import { agentLogger } from './logger';
import { readAgentNetworkOptions } from './network';
import { registerSecret } from './secrets';

export interface PipelineRunRecord {
  readonly run: PipelineRunFacts;
  readonly approvals: Known<readonly CheckFacts[]>;
}

const variable = (name: string): string => tl.getVariable(name) || UNKNOWN;

function runFacts(): PipelineRunFacts {
  const collection = tl.getVariable('System.CollectionUri') || tl.getEndpointUrl('SystemVssConnection', true);
  const collectionUri = collection ? (collection.endsWith('/') ? collection : `${collection}/`) : UNKNOWN;
  const project = variable('System.TeamProject');
  const buildId = variable('Build.BuildId');
  const url =
    collectionUri === UNKNOWN || project === UNKNOWN || buildId === UNKNOWN
      ? UNKNOWN
      : `${collectionUri}${encodeURIComponent(project)}/_build/results?buildId=${encodeURIComponent(buildId)}`;
  return {
    collectionUri,
    project,
    pipeline: { name: variable('Build.DefinitionName'), id: variable('System.DefinitionId') },
    run: { id: buildId, number: variable('Build.BuildNumber'), url },
    stage: variable('System.StageName'),
    job: tl.getVariable('System.JobName') || variable('Agent.JobName'),
    attempt: variable('System.JobAttempt'),
  };
}

/** The run's facts and approvals; never throws for what Azure DevOps refuses or does not answer. */
export async function readPipelineRun(): Promise<PipelineRunRecord> {
  const run = runFacts();
  const token = tl.getEndpointAuthorization('SystemVssConnection', true)?.parameters?.['AccessToken'];
  registerSecret(token);
  if (!token || run.collectionUri === UNKNOWN || run.project === UNKNOWN || !/^\d+$/.test(run.run.id)) {
    agentLogger.warn(
      "The promotion record's approvals are unknown: the job's access token (System.AccessToken, SystemVssConnection) " +
        'or System.CollectionUri, System.TeamProject, Build.BuildId were not handed to the task.',
    );
    return { run, approvals: UNKNOWN };
  }
  const { readRunChecks } = await import('./devOpsApprovals.js');
  const read = await readRunChecks(
    { collectionUri: run.collectionUri, project: run.project, buildId: Number(run.run.id), token },
    readAgentNetworkOptions(),
  );
  read.warnings.forEach((w) => agentLogger.warn(w));
  return { run, approvals: read.checks };
}
