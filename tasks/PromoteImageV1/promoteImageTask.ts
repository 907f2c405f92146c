import path from 'node:path';
import { createRegistryClient } from '../common/agent/registryClient';
import { agentLogger } from '../common/agent/logger';
import { setOutput, uploadSummary } from '../common/agent/summary';
import { UserError } from '../common/errors';
import { findLocked } from '../common/lockfile/findLocked';
import { readLockFile } from '../common/lockfile/readImageLock';
import { copyImage } from '../common/registry/copy';
import type { CopyProgress } from '../common/registry/progress';
import { readInputs, type PromoteImageInputs } from './inputs';
import { formatBytes, renderSummary } from './summary';

/** The digest that was tested: `expectedDigest`, or the source's entry in the lock file. */
function expectedDigest(options: PromoteImageInputs): string | undefined {
  if (!options.lockFile) return options.expectedDigest;
  const file = path.resolve(options.lockFile);
  const locked = findLocked(readLockFile(file), options.source.toString());
  if (!locked) {
    throw new UserError(
      `The image lock file ${file} does not list ${options.source.toString()}: promote only images that were pinned and tested, ` +
        `or check 'sourceImage' against the lock file's images.`,
    );
  }
  agentLogger.info(`Lock file ${file}: ${options.source.toString()} was tested as ${locked.digest}.`);
  return locked.digest;
}

function logProgress(p: CopyProgress): void {
  const percent = p.bytesTotal > 0 ? Math.floor((100 * p.bytesDone) / p.bytesTotal) : 100;
  agentLogger.info(`Copied ${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)} (${percent}%)`);
}

export async function promoteImageTask(): Promise<void> {
  const options = readInputs();
  const digest = expectedDigest(options);
  const client = createRegistryClient({
    // The target connection first: on a shared host it needs push, and pull for the mount.
    registryConnections: [options.targetConnection, options.sourceConnection],
    azureSubscription: options.azureSubscription,
    insecureRegistries: options.insecureRegistries,
  });
  const targetRepository = `${options.target.registry}/${options.target.repository}`;
  const report = await agentLogger.group(`Promote ${options.source.toString()} to ${targetRepository}`, () =>
    copyImage(client, {
      source: options.source,
      target: options.target,
      tags: options.tags,
      expectedDigest: digest,
      overwrite: options.overwrite,
      copyReferrers: options.copyReferrers,
      dryRun: options.dryRun,
      onProgress: logProgress,
    }),
  );
  const firstTag = options.tags[0] ?? '';
  agentLogger.info(
    `${report.dryRun ? 'Would promote' : 'Promoted'} ${targetRepository}:${firstTag}@${report.digest}: ` +
      `${report.blobsMounted} blobs mounted, ${report.blobsCopied} copied (${formatBytes(report.bytesCopied)}), ` +
      `${report.blobsSkipped} already there, ${report.referrersCopied} referrers, ${report.requests} requests.`,
  );
  setOutput('digest', report.digest);
  setOutput('imageReference', `${targetRepository}:${firstTag}@${report.digest}`);
  setOutput('blobsMounted', report.blobsMounted);
  setOutput('blobsCopied', report.blobsCopied);
  setOutput('bytesCopied', report.bytesCopied);
  uploadSummary('promote-image', renderSummary({ source: options.source, targetRepository, report }));
}
