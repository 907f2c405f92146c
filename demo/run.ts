// The demo: starts the registries and emulators, writes the sample service repository, and plays
// the release flow stage by stage with the packaged tasks through the same runner as
// `npm run task` (the CI stage's cosign script steps are played by the demo itself, and say so);
// then checks the digest at every stage, verifies what production recorded and locked, prints the
// closing table and writes the HTML report. Everything it started is stopped and its folder removed, also when a step fails.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readConnectionsFile } from '../runner/pipeline/connections';
import { gitVariables } from '../runner/pipeline/gitVariables';
import { readPipelineFile } from '../runner/pipeline/pipelineFile';
import { createJob, runSteps, type StepResult } from '../runner/pipeline/pipelineRun';
import { logToText, markdownToText } from '../runner/report/terminal';
import { htmlReportFor } from '../runner/report/stepOutput';
import type { ReportStage } from '../runner/report/htmlReport';
import { toolPath } from '../runner/tools';
import { signInCi } from './ciSigning';
import { closingFacts, type Workspace } from './closingFacts';
import { closingTables, closingText, digestMismatches, type ClosingFacts } from './closingTable';
import { BUILD_ID } from './devOpsRun';
import {
  PROJECT,
  SUBSCRIPTION,
  TENANT,
  WIF_APP,
  startDemoEnvironment,
  type DemoEnvironment,
} from './environment';
import { connectionsYaml, demoStages } from './pipelines';
import { SERVICE, VERSION, writeSampleService } from './sampleService';
import { verifiedRelease, type VerifiedRelease } from './verifiedRelease';

export interface DemoOptions {
  /** A real cluster's kubeconfig instead of the emulated API server. */
  readonly kubeconfig?: string;
  /** Answers the approval gate before production: true approves, false rejects. */
  readonly approve: () => Promise<boolean>;
  readonly reportFile: string;
  /** Print every step's log (the report always has them). */
  readonly verbose?: boolean;
  readonly write: (line?: string) => void;
  /** Called as the environment starts, with a function that stops it (for signal handlers). */
  readonly onStarted?: (stop: () => Promise<void>) => void;
}

export interface DemoResult {
  readonly outcome: 'released' | 'failed' | 'not approved';
  readonly facts?: ClosingFacts;
  /** What production verified, recorded and locked, checked by the demo (released runs). */
  readonly verified?: VerifiedRelease;
  readonly stages: ReportStage[];
  /** Values the run must never print (the vault's secrets, registry password, job token, CI signer's secret). */
  readonly secrets: string[];
  readonly wallMs: number;
}

const BUILD_VARIABLES = {
  'Build.DefinitionName': 'delivery-cd',
  'Build.BuildNumber': '20261201.3',
  'Build.BuildId': BUILD_ID,
  'System.TeamProject': PROJECT.name,
  'Build.Repository.Name': 'fabrikam-dronedelivery',
};

function printStep(step: StepResult, verbose: boolean, write: (line?: string) => void): void {
  const name = step.name ? ` [${step.name}]` : '';
  write(`  ${step.result.padEnd(9)} ${step.title}${name} (${(step.durationMs / 1000).toFixed(1)} s)`);
  if (verbose || step.result === 'Failed') logToText(step.log).forEach((l) => write(`      ${l}`));
  if (step.message && step.result !== 'Succeeded') write(`      ${step.message}`);
  for (const summary of step.summaries) markdownToText(summary).forEach((l) => write(`      ${l}`));
}

function prepareWorkspace(root: string, env: DemoEnvironment, kubeconfig: string | undefined): Workspace {
  const sources = path.join(root, 'sources');
  writeSampleService(
    sources,
    env.nonprod.host,
    env.keys.release.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  );
  const kubeDir = path.join(root, 'kube');
  fs.mkdirSync(kubeDir, { mode: 0o700 });
  const kubeconfigs = { staging: kubeconfig ?? '', production: kubeconfig ?? '' };
  if (env.cluster) {
    for (const ns of ['staging', 'production'] as const) {
      kubeconfigs[ns] = path.join(kubeDir, `${ns}.yaml`);
      fs.writeFileSync(kubeconfigs[ns], env.cluster.kubeconfig({ namespace: ns, context: `aks-${ns}` }), {
        mode: 0o600,
      });
    }
  }
  return { root, sources, job: createJob(path.join(root, 'agent'), sources), kubeconfigs };
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
  const { write } = options;
  const kubeconfig = options.kubeconfig ? path.resolve(options.kubeconfig) : undefined;
  if (kubeconfig && !fs.existsSync(kubeconfig)) throw new Error(`--kubeconfig ${kubeconfig}: no such file`);
  write('Starting the registries and emulators on 127.0.0.1 ...');
  const starting = startDemoEnvironment({ realCluster: kubeconfig !== undefined });
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-demo-'));
  const stop = async () => {
    await (await starting.catch(() => undefined))?.stop(); // a failed start stopped its own parts
    fs.rmSync(root, { recursive: true, force: true });
  };
  options.onStarted?.(stop); // from now on a signal handler can stop it all, even mid-start
  let env: DemoEnvironment;
  try {
    env = await starting;
  } catch (err) {
    await stop();
    throw err;
  }
  const stages: ReportStage[] = [];
  const secrets = [
    ...Object.values(env.vaultSecrets),
    env.nonprodUser.password,
    env.jobAccessToken,
    env.ciSigner.secret,
  ];
  let ciSigner = '(not signed)';
  try {
    env.description.forEach((l) => write(`  ${l}`));
    const ws = prepareWorkspace(root, env, kubeconfig);
    write(
      `\nSample service repository: branch release/${SERVICE}/v${VERSION}, ${SERVICE}:v${VERSION} pushed to non-production`,
    );
    write(`  ${env.image.digest} (${env.image.children.length} platforms and an SBOM)`);
    const connectionsFile = path.join(ws.root, 'connections.yml');
    fs.writeFileSync(
      connectionsFile,
      connectionsYaml({
        nonprod: env.nonprod.host,
        nonprodUser: env.nonprodUser.username,
        tenantId: TENANT,
        clientId: WIF_APP,
        subscriptionId: SUBSCRIPTION,
        authorityHost: env.entra.authorityHost,
        collectionUri: env.oidc.collectionUri,
        projectId: PROJECT.id,
        stagingKubeconfig: ws.kubeconfigs.staging,
        productionKubeconfig: ws.kubeconfigs.production,
      }),
    );
    const connections = readConnectionsFile(connectionsFile, {
      NONPROD_PASSWORD: env.nonprodUser.password,
      SYSTEM_ACCESSTOKEN: env.jobAccessToken,
    });
    const taskEnv = {
      PATH: `${path.dirname(toolPath('HELM3_BIN'))}${path.delimiter}${process.env['PATH'] ?? ''}`,
      NODE_EXTRA_CA_CERTS: env.entra.caFile, // the agent's CA setting: the emulators' test CA
    };
    const variables: Record<string, string> = { ...gitVariables(ws.sources), ...BUILD_VARIABLES };
    const pipelines = demoStages({
      nonprod: env.nonprod.host,
      prod: env.prod.host,
      vault: env.vault.url,
      wait: !kubeconfig,
      kms: env.kms,
    });
    for (const stage of pipelines) {
      const notes: string[] = [];
      write(`\n=== Stage: ${stage.title}`);
      if (stage.id === 'production') {
        write('  Approval: the production environment requires a release manager to approve.');
        const approved = await options.approve();
        env.recordApproval(approved); // the emulated Azure DevOps run now shows the answer
        notes.push(approved ? 'Approval: approved' : 'Approval: rejected');
        write(`  Approval: ${approved ? 'approved' : 'rejected; production is left as it was'}`);
        if (!approved) {
          stages.push({ title: stage.title, notes, steps: [] });
          return finish('not approved');
        }
      }
      if (stage.played) {
        const started = Date.now();
        const signed = await signInCi(env, variables['Build.SourceVersion'] ?? '');
        ciSigner = signed.keyId;
        const lines = [
          `Played    script step (the demo plays it: no cosign binary here; it pushes what cosign 3 pushes) (${((Date.now() - started) / 1000).toFixed(1)} s)`,
          ...stage.played
            .trimEnd()
            .split('\n')
            .map((l) => `  ${l}`),
          `Pushed Sigstore bundles (${signed.predicates.join(', ')}) as referrers of ${env.image.digest},`,
          `signed by Key Vault key ${signed.keyId}`,
        ];
        lines.forEach((l) => write(`  ${l}`));
        notes.push(...lines);
      }
      const file = path.join(ws.root, `${stage.id}.yml`);
      fs.writeFileSync(file, stage.yaml);
      const results = await runSteps({
        steps: readPipelineFile(file),
        job: ws.job,
        connections,
        connectionsFile,
        variables: { ...variables, 'System.StageName': stage.stageName, 'System.JobName': stage.jobName },
        env: taskEnv,
        onStep: (step) => printStep(step, options.verbose ?? false, write),
      });
      stages.push({ title: stage.title, notes, steps: results });
      if (ws.job.failed) return finish('failed');
    }
    const hotfix = stages.flatMap((s) => s.steps).find((s) => s.name === 'promote_hotfix');
    const verified = await verifiedRelease(env, (name) => ws.job.value(name), ciSigner, hotfix);
    const facts = await closingFacts(env, ws, verified);
    closingText(facts).forEach((l) => write(l));
    const mismatches = digestMismatches(facts.digests);
    if (mismatches.length > 0) {
      write(`\nFAILED: the digest changed at ${mismatches.map((m) => m.stage).join(', ')}`);
      return finish('failed', facts, verified);
    }
    if (
      !verified.record?.verifies ||
      verified.tagLock?.writeEnabled !== false ||
      verified.hotfix.result !== 'SucceededWithIssues' ||
      verified.hotfix.written
    ) {
      write(
        '\nFAILED: the promotion record does not verify, the production tag is not locked, or the unsigned hotfix was not refused',
      );
      return finish('failed', facts, verified);
    }
    write(
      `\nThe same digest from CI to production, signed in CI, verified, recorded and locked; the second promotion moved nothing; the unsigned hotfix was refused.`,
    );
    return finish('released', facts, verified);
  } finally {
    await stop();
  }

  function finish(
    outcome: DemoResult['outcome'],
    facts?: ClosingFacts,
    verified?: VerifiedRelease,
  ): DemoResult {
    const wallMs = Date.now() - started;
    const notes = [...env.description, `Outcome: ${outcome}, ${(wallMs / 1000).toFixed(1)} s`];
    fs.mkdirSync(path.dirname(options.reportFile), { recursive: true });
    fs.writeFileSync(
      options.reportFile,
      htmlReportFor(`Release Guard demo: ${SERVICE} v${VERSION}`, new Date(started), stages, {
        notes,
        ...(facts ? { tables: closingTables(facts) } : {}),
      }),
    );
    write(`\nReport: ${options.reportFile}`);
    write(`Outcome: ${outcome} in ${(wallMs / 1000).toFixed(1)} s`);
    return {
      outcome,
      ...(facts ? { facts } : {}),
      ...(verified ? { verified } : {}),
      stages,
      secrets,
      wallMs,
    };
  }
}
