// The closing facts: the image digest at every stage (pushed, locked, pinned, deployed, promoted,
// re-promoted) and the release's facts (bytes moved, requests, chart, revisions, change cause,
// masked secrets, and what was signed, verified, recorded and locked), each read back from where
// the stage left it: the lock artifact, the sample repository, the cluster, the registries.
import fs from 'node:fs';
import path from 'node:path';
import { runProcess } from '../tasks/common/helm/processRunner';
import { getManifest } from '../test/emulators/registry/images';
import type { JobState } from '../runner/pipeline/pipelineRun';
import { toolPath } from '../runner/tools';
import type { ClosingFacts, DigestCheck } from './closingTable';
import type { DemoEnvironment } from './environment';
import { SERVICE, VERSION } from './sampleService';
import { verifiedRows, type VerifiedRelease } from './verifiedRelease';

export interface Workspace {
  readonly root: string;
  readonly sources: string;
  readonly job: JobState;
  readonly kubeconfigs: { staging: string; production: string };
}

async function kubectl(kubeconfig: string, args: string[]): Promise<string> {
  const r = await runProcess(toolPath('KUBECTL31_BIN'), ['--kubeconfig', kubeconfig, ...args], {
    timeoutMs: 30_000,
  });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

const digestOf = (reference: string): string => reference.slice(reference.lastIndexOf('@') + 1);

/** The digest at every stage and the release's facts, read back from where each stage left them. */
export async function closingFacts(
  env: DemoEnvironment,
  ws: Workspace,
  verified: VerifiedRelease,
): Promise<ClosingFacts> {
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
    ...verifiedRows(verified),
  ];
  return { digests, rows };
}
