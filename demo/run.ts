// The demo: starts the registries and emulators, writes the sample service repository, and plays
// the release flow stage by stage with the packaged tasks through the same runner as
// `npm run task`; then checks the digest at every stage, prints the closing table and writes the
// HTML report. Everything it started is stopped and its folder removed, also when a step fails.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runProcess } from '../tasks/common/helm/processRunner';
import { getManifest } from '../test/emulators/registry/images';
import { readConnectionsFile } from '../runner/pipeline/connections';
import { gitVariables } from '../runner/pipeline/gitVariables';
import { readPipelineFile } from '../runner/pipeline/pipelineFile';
import { createJob, runSteps, type JobState, type StepResult } from '../runner/pipeline/pipelineRun';
import { logToText, markdownToText } from '../runner/report/terminal';
import { htmlReportFor } from '../runner/report/stepOutput';
import type { ReportStage } from '../runner/report/htmlReport';
import { toolPath } from '../runner/tools';
import {
  closingTables,
  closingText,
  digestMismatches,
  type ClosingFacts,
  type DigestCheck,
} from './closingTable';
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
  readonly stages: ReportStage[];
  /** Values the run must never print (the vault's secrets, registry password, job token). */
  readonly secrets: string[];
  readonly wallMs: number;
}

const BUILD_VARIABLES = {
  'Build.DefinitionName': 'delivery-cd',
  'Build.BuildNumber': '20261201.3',
  'Build.Repository.Name': 'fabrikam-dronedelivery',
};

async function kubectl(kubeconfig: string, args: string[]): Promise<string> {
  const r = await runProcess(toolPath('KUBECTL31_BIN'), ['--kubeconfig', kubeconfig, ...args], {
    timeoutMs: 30_000,
  });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

const digestOf = (reference: string): string => reference.slice(reference.lastIndexOf('@') + 1);

function printStep(step: StepResult, verbose: boolean, write: (line?: string) => void): void {
  const name = step.name ? ` [${step.name}]` : '';
  write(`  ${step.result.padEnd(9)} ${step.title}${name} (${(step.durationMs / 1000).toFixed(1)} s)`);
  if (verbose || step.result === 'Failed') logToText(step.log).forEach((l) => write(`      ${l}`));
  if (step.message && step.result === 'Failed') write(`      ${step.message}`);
  for (const summary of step.summaries) markdownToText(summary).forEach((l) => write(`      ${l}`));
}

interface Workspace {
  readonly root: string;
  readonly sources: string;
  readonly job: JobState;
  readonly kubeconfigs: { staging: string; production: string };
}

function prepareWorkspace(root: string, env: DemoEnvironment, kubeconfig: string | undefined): Workspace {
  const sources = path.join(root, 'sources');
  writeSampleService(sources, env.nonprod.host);
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
  const secrets = [...Object.values(env.vaultSecrets), env.nonprodUser.password, env.jobAccessToken];
  try {
    env.description.forEach((l) => write(`  ${l}`));
    const ws = prepareWorkspace(root, env, kubeconfig);
    write(
      `\nSample service repository: branch release/${SERVICE}/v${VERSION}, ${SERVICE}:v${VERSION} pushed to non-production`,
    );
    write(`  ${env.image.digest} (${env.image.children.length} platforms, a cosign signature and an SBOM)`);
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
    const variables = { ...gitVariables(ws.sources), ...BUILD_VARIABLES };
    const pipelines = demoStages({
      nonprod: env.nonprod.host,
      prod: env.prod.host,
      vault: env.vault.url,
      wait: !kubeconfig,
    });
    for (const stage of pipelines) {
      const notes: string[] = [];
      write(`\n=== Stage: ${stage.title}`);
      if (stage.id === 'production') {
        write('  Approval: the production environment requires a release manager to approve.');
        const approved = await options.approve();
        notes.push(approved ? 'Approval: approved' : 'Approval: rejected');
        write(`  Approval: ${approved ? 'approved' : 'rejected; production is left as it was'}`);
        if (!approved) {
          stages.push({ title: stage.title, notes, steps: [] });
          return finish('not approved');
        }
      }
      const file = path.join(ws.root, `${stage.id}.yml`);
      fs.writeFileSync(file, stage.yaml);
      const results = await runSteps({
        steps: readPipelineFile(file),
        job: ws.job,
        connections,
        connectionsFile,
        variables,
        env: taskEnv,
        onStep: (step) => printStep(step, options.verbose ?? false, write),
      });
      stages.push({ title: stage.title, notes, steps: results });
      if (ws.job.failed) return finish('failed');
    }
    const facts = await closingFacts(env, ws);
    closingText(facts).forEach((l) => write(l));
    const mismatches = digestMismatches(facts.digests);
    if (mismatches.length > 0) {
      write(`\nFAILED: the digest changed at ${mismatches.map((m) => m.stage).join(', ')}`);
      return finish('failed', facts);
    }
    write(`\nThe same digest from CI to production; the second promotion moved nothing.`);
    return finish('released', facts);
  } finally {
    await stop();
  }

  function finish(outcome: DemoResult['outcome'], facts?: ClosingFacts): DemoResult {
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
    return { outcome, ...(facts ? { facts } : {}), stages, secrets, wallMs };
  }
}

async function closingFacts(env: DemoEnvironment, ws: Workspace): Promise<ClosingFacts> {
  const job = ws.job;
  const out = (name: string) => job.value(name) ?? '(not set)';
  const lock = JSON.parse(
    fs.readFileSync(path.join(job.dirs.artifactStaging, 'image-lock.json'), 'utf8'),
  ) as {
    images: { reference: string; digest: string }[];
  };
  const locked = lock.images.find((i) => i.reference.endsWith(`/${SERVICE}:v${VERSION}`));
  const values = fs.readFileSync(path.join(ws.sources, 'charts', SERVICE, 'values.yaml'), 'utf8');
  const pinned = /^image:\s*(\S+)/m.exec(values)?.[1] ?? '';
  const imageIn = (ns: 'staging' | 'production') =>
    kubectl(ws.kubeconfigs[ns], [
      'get',
      'deployment',
      SERVICE,
      '-n',
      ns,
      '-o',
      'jsonpath={.spec.template.spec.containers[0].image}',
    ]);
  const prodManifest = await getManifest(env.prod, `prod/${SERVICE}`, `v${VERSION}`);
  const digests: DigestCheck[] = [
    {
      stage: 'CI',
      where: `pushed to non-production ${env.nonprod.host}/${SERVICE}:v${VERSION}`,
      digest: env.image.digest,
    },
    {
      stage: 'CI',
      where: 'image-lock.json (PinImageDigests artifact)',
      digest: locked?.digest ?? '(missing)',
    },
    { stage: 'CI', where: `charts/${SERVICE}/values.yaml, pinned`, digest: digestOf(pinned) },
    {
      stage: 'Staging',
      where: `Deployment ${SERVICE}, namespace staging`,
      digest: digestOf(await imageIn('staging')),
    },
    { stage: 'Production', where: 'PromoteImage output digest', digest: out('promote.digest') },
    {
      stage: 'Production',
      where: `production registry prod/${SERVICE}:v${VERSION}`,
      digest: prodManifest?.digest ?? '(missing)',
    },
    {
      stage: 'Production',
      where: `Deployment ${SERVICE}, namespace production`,
      digest: digestOf(await imageIn('production')),
    },
    { stage: 'Re-run', where: 'PromoteImage again (no-op)', digest: out('promote_again.digest') },
  ];
  const [nonprodRequests, prodRequests] = await Promise.all([env.nonprod.requests(), env.prod.requests()]);
  const history = (
    await kubectl(ws.kubeconfigs.production, [
      'rollout',
      'history',
      `deployment/${SERVICE}`,
      '-n',
      'production',
    ])
  )
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^\d+\s/.test(l))
    .map((l) => l.replace(/^(\d+)\s+/, 'revision $1: '));
  const kib = (bytes: string) => `${(Number(bytes) / 1024).toFixed(0)} KiB (${bytes} bytes)`;
  const secretVars = Object.keys(job.secretVariables)
    .filter((k) => /^DELIVERY_/.test(k))
    .sort();
  const rows: [string, string][] = [
    [
      'Layer bytes moved to production',
      `${kib(out('promote.bytesCopied'))}, ${out('promote.blobsCopied')} blobs copied, ${out('promote.blobsMounted')} mounted`,
    ],
    [
      'Second promotion',
      `${kib(out('promote_again.bytesCopied'))}, ${out('promote_again.blobsCopied')} blobs copied (no-op)`,
    ],
    [
      'Registry requests',
      `non-production ${nonprodRequests.length}, production ${prodRequests.length} (the whole pipeline)`,
    ],
    ['Chart', `${out('chart.chartReference')} (${out('chart.chartDigest')})`],
    [
      'Helm revisions',
      `staging ${out('deploy_staging.revision')}, production ${out('deploy_production.revision')}`,
    ],
    ['Change cause (kubectl rollout history, production)', history.join(' | ') || '(none)'],
    ['Secrets injected (masked)', secretVars.map((k) => `${k}=***`).join(', ') || '(none)'],
  ];
  return { digests, rows };
}
