import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors';
import type { Logger } from '../log';
import { chartContentDigest } from './chartArchive';
import { readChartMetadata } from './chartMetadata';
import type { ChartRegistry, ExistingChart } from './chartRegistry';
import { ociTag } from './chartVersion';
import type { HelmRunner } from './helmRunner';
import { chartRepository, ociUrl, type OciLocation } from './ociLocation';
import { runOnRegistry } from './registryLogin';
import { assertNoLinksLeaving } from '../files';

export interface PublishChartOptions {
  readonly chartDir: string;
  readonly version: string;
  /** Default: the version. */
  readonly appVersion?: string;
  readonly updateDependencies: boolean;
  readonly registry: OciLocation;
  /** Push even when the version exists with other content. */
  readonly overwrite: boolean;
  readonly plainHttp: boolean;
}

export type PublishOutcome = 'pushed' | 'unchanged' | 'overwritten';

export interface PublishResult {
  readonly chartName: string;
  readonly version: string;
  readonly appVersion: string;
  /** `oci://host/path/name:tag` */
  readonly reference: string;
  /** Digest of the chart's manifest in the registry. */
  readonly digest: string;
  readonly outcome: PublishOutcome;
  /** Size of the packaged chart. */
  readonly archiveBytes: number;
}

export interface PublishDeps {
  readonly helm: HelmRunner;
  readonly registry: ChartRegistry;
  readonly logger: Logger;
}

const sha256 = (bytes: Buffer): string => `sha256:${crypto.createHash('sha256').update(bytes).digest('hex')}`;

/** `helm package` into the runner's private folder; returns the archive's path. */
async function packageChart(deps: PublishDeps, options: PublishChartOptions, name: string): Promise<string> {
  const { helm, logger } = deps;
  assertNoLinksLeaving(options.chartDir, 'chartPath');
  if (options.updateDependencies && readChartMetadata(options.chartDir).dependencies > 0) {
    await logger.group('helm dependency update', () =>
      helm.mustRun(['dependency', 'update', options.chartDir], { echo: true }),
    );
  }
  const dest = helm.privatePath('package');
  fs.mkdirSync(dest, { recursive: true });
  await helm.mustRun([
    'package',
    options.chartDir,
    '--version',
    options.version,
    '--app-version',
    options.appVersion ?? options.version,
    '--destination',
    dest,
  ]);
  const archive = path.join(dest, `${name}-${options.version}.tgz`);
  if (!fs.existsSync(archive)) throw new Error(`helm package did not write ${archive}`);
  return archive;
}

/** Downloads the chart already in the registry (helm pull, signed in as the push will be). */
async function pullExisting(deps: PublishDeps, options: PublishChartOptions, name: string): Promise<Buffer> {
  const dest = fs.mkdtempSync(path.join(deps.helm.privatePath('package'), 'existing-'));
  await runOnRegistry(deps.helm, options.registry.host, options.plainHttp, 'transfer', [
    'pull',
    `${ociUrl(options.registry)}/${name}`,
    '--version',
    options.version,
    '--destination',
    dest,
  ]);
  const file = fs.readdirSync(dest).find((f) => f.endsWith('.tgz'));
  if (!file) throw new Error(`helm pull wrote no archive to ${dest}`);
  return fs.readFileSync(path.join(dest, file));
}

/**
 * Whether the version in the registry holds the same chart: the same archive bytes, or (Helm 3
 * stamps the packaging time into every archive) the same files with the same contents.
 */
async function sameChart(
  deps: PublishDeps,
  options: PublishChartOptions,
  name: string,
  existing: ExistingChart,
  archive: Buffer,
): Promise<boolean> {
  if (existing.chartLayerDigest === sha256(archive)) return true;
  const theirs = await pullExisting(deps, options, name);
  const same =
    chartContentDigest(theirs, 'the chart in the registry') ===
    chartContentDigest(archive, 'the new package');
  deps.logger.debug(`Content digests of ${name} ${options.version}: ${same ? 'equal' : 'different'}.`);
  return same;
}

function pushedDigest(output: string): string | undefined {
  return /Digest:\s*(sha256:[0-9a-f]{64})/.exec(output)?.[1];
}

/**
 * Packages a chart folder with the given version and pushes it to an OCI registry, refusing to
 * replace a version that exists with different content unless told to. Pushing a version that
 * exists with the same content is a no-op.
 */
export async function publishChart(deps: PublishDeps, options: PublishChartOptions): Promise<PublishResult> {
  const { helm, registry, logger } = deps;
  const meta = readChartMetadata(options.chartDir);
  const appVersion = options.appVersion ?? options.version;
  const archivePath = await packageChart(deps, options, meta.name);
  const archive = fs.readFileSync(archivePath);
  const repository = chartRepository(options.registry, meta.name);
  const tag = ociTag(options.version);
  const reference = `oci://${options.registry.host}/${repository}:${tag}`;
  logger.info(
    `Packaged ${meta.name} ${options.version} (app version ${appVersion}): ${archive.length} bytes, ${sha256(archive)}.`,
  );

  const existing = await registry.find(repository, tag);
  let outcome: PublishOutcome = 'pushed';
  if (existing) {
    if (await sameChart(deps, options, meta.name, existing, archive)) {
      logger.info(`${reference} already holds this chart (${existing.manifestDigest}): nothing to push.`);
      return {
        chartName: meta.name,
        version: options.version,
        appVersion,
        reference,
        digest: existing.manifestDigest,
        outcome: 'unchanged',
        archiveBytes: archive.length,
      };
    }
    if (!options.overwrite) {
      throw new UserError(
        `${reference} already exists with different content (${existing.manifestDigest}). A published version must not change: ` +
          `bump the chart version, or set 'overwrite' if replacing it is really intended.`,
      );
    }
    logger.warn(
      `${reference} exists with different content (${existing.manifestDigest}); overwriting it as 'overwrite' says.`,
    );
    outcome = 'overwritten';
  }

  const pushed = await runOnRegistry(helm, options.registry.host, options.plainHttp, 'transfer', [
    'push',
    archivePath,
    ociUrl(options.registry),
  ]);
  const said = pushedDigest(`${pushed.stdout}\n${pushed.stderr}`);
  const stored = await registry.find(repository, tag);
  if (!stored) throw new UserError(`helm push reported success, but ${reference} is not in the registry.`);
  if (said && said !== stored.manifestDigest) {
    logger.warn(
      `helm push reported ${said}, the registry holds ${stored.manifestDigest} (another push may have raced).`,
    );
  }
  logger.info(`Pushed ${reference} (${stored.manifestDigest}).`);
  return {
    chartName: meta.name,
    version: options.version,
    appVersion,
    reference,
    digest: stored.manifestDigest,
    outcome,
    archiveBytes: archive.length,
  };
}
