import fs from 'node:fs';
import path from 'node:path';
import {
  agentLogger,
  completeSignatureGate,
  createRegistryClient,
  publishArtifact,
  setOutput,
  uploadSummary,
  literalPaths,
  lockFileFolders,
  matchInputFiles,
} from '../common/agent';
import { confineFiles } from '../common/files';
import { readLockFile, writeLockFile, type ImageLock } from '../common/lockfile';
import { pinImages, declarePullScopes, registryImageResolver } from '../common/pinning';
import { readInputs } from './inputs';
import { signatureRecord, signaturesMarkdown } from '../common/signatures';
import { verifyPinnedImages } from './signatureGate';
import { summaryMarkdown } from './summaryMarkdown';

/** The title of the task's build summary section, and of the failure summary runTask uploads. */
export const SUMMARY_TITLE = 'Pin image digests';

/** Registry lookups in flight at once. */
const CONCURRENCY = 8;
/** The pipeline artifact the lock file is published as. */
export const LOCK_ARTIFACT = 'image-lock';

export async function pinImageDigestsTask(): Promise<void> {
  const options = readInputs();
  const workingDirectory = path.resolve(options.workingDirectory);
  const files = matchInputFiles(workingDirectory, options.files, 'files', { ifNone: 'fail' });
  const lockFile = options.lockFile ? path.resolve(workingDirectory, options.lockFile) : undefined;
  if (lockFile !== undefined) confineFiles([lockFile], lockFileFolders(workingDirectory), 'lockFile');
  const previousLock = options.action === 'verify' ? readPreviousLock(lockFile) : undefined;
  const gate = await completeSignatureGate(options.signatureGate, options.azureSubscription);
  const client = createRegistryClient({
    registryConnections: [options.containerRegistry],
    azureSubscription: options.azureSubscription,
    insecureRegistries: options.insecureRegistries,
  });
  try {
    const report = await pinImages({
      action: options.action,
      workingDirectory,
      files,
      named: literalPaths(workingDirectory, options.files),
      format: options.pinFormat,
      include: options.include,
      exclude: options.exclude,
      failOnMutableTags: options.failOnMutableTags,
      failOnDrift: options.failOnDrift,
      resolve: registryImageResolver(client, options.platform),
      beforeResolve: (refs) => declarePullScopes(client, refs),
      concurrency: CONCURRENCY,
      previousLock,
      logger: agentLogger,
    });
    const verified = gate ? await verifyPinnedImages(client, report.lock.images, gate) : undefined;
    const written = options.action !== 'verify' && lockFile !== undefined ? lockFile : undefined;
    if (written) {
      writeLockFile(written, report.lock);
      agentLogger.info(`Image lock written: ${written} (${report.lock.images.length} image(s)).`);
    }
    setOutput('lockFile', written ?? '');
    setOutput('imagesPinned', report.lock.images.length);
    setOutput('filesChanged', report.filesChanged.length);
    if (written && options.publishLockFile) publishArtifact(LOCK_ARTIFACT, written);
    if (verified) setOutput('verifiedSignatures', JSON.stringify(verified.map(signatureRecord)));
    const registryRequests = client.stats.requests;
    uploadSummary(
      SUMMARY_TITLE,
      summaryMarkdown(report, { lockFile: written, registryRequests }) +
        signaturesMarkdown(verified, 'Signatures verified'),
    );
  } finally {
    client.close();
  }
}

/** verify: the lock a previous pin wrote, when it exists (it names the tags of digest-only references). */
function readPreviousLock(lockFile: string | undefined): ImageLock | undefined {
  if (lockFile === undefined || !fs.existsSync(lockFile)) return undefined;
  return readLockFile(lockFile);
}
