import {
  agentLogger,
  completeSignatureGate,
  createRegistryClient,
  recordDone,
  setOutput,
  uploadSummary,
} from '../common/agent';
import { copyImage, type CopyChecks, type CopyProgress } from '../common/copy';
import type { RegistryClient } from '../common/registry';
import { mapLimit } from '../common/net';
import { signatureRecord } from '../common/signatures';
import { readInputs, type PromoteImageInputs, type Promotion } from './inputs';
import {
  formatBytes,
  promotedReference,
  renderSummary,
  targetRepository,
  type PromotionResult,
} from './summary';
import { CHECK_CONCURRENCY, IMAGE_CONCURRENCY } from './imageConcurrency';
import { recordSigner } from './recordSigner';
import { declarePromotionAccess } from './promotionAccess';
import { gateSources } from './signatureGate';
import { recordOutputs, recordPromotions } from './promotionRecord';
import { checkTargetLocks, lockTargets } from './targetLocks';
import { testedDigests } from './testedDigests';

/** The title of the task's build summary section, and of the failure summary runTask uploads. */
export const SUMMARY_TITLE = 'Promote image';

function progressLogger(prefix: string): (p: CopyProgress) => void {
  return (p) => {
    const percent = p.bytesTotal > 0 ? Math.floor((100 * p.bytesDone) / p.bytesTotal) : 100;
    agentLogger.info(
      `${prefix}Copied ${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)} (${percent}%)`,
    );
  };
}

function promoteEach(
  client: RegistryClient,
  options: PromoteImageInputs,
  digests: readonly (string | undefined)[],
  dryRun: boolean,
  preflight = false,
  promoted?: PromotionResult[],
  checks?: readonly (CopyChecks | undefined)[],
): Promise<PromotionResult[]> {
  const one = async (promotion: Promotion, i: number): Promise<PromotionResult> => {
    const title = `${dryRun || preflight ? 'Check' : 'Promote'} ${promotion.source.toString()} to ${targetRepository(promotion)}`;
    // Log groups cannot overlap: several images copied at once log plain lines naming their target.
    const several = options.promotions.length > 1;
    const copy = () =>
      copyImage(client, {
        source: promotion.source,
        target: promotion.target,
        tags: promotion.tags,
        expectedDigest: digests[i],
        overwrite: options.overwrite,
        copyReferrers: options.copyReferrers,
        dryRun: dryRun || preflight,
        // Before several copies: only what can refuse one (digest, target tags, read access).
        checksOnly: preflight,
        ...(checks?.[i] ? { checked: checks[i] } : {}),
        onProgress: progressLogger(several ? `${targetRepository(promotion)}: ` : ''),
      });
    if (several) agentLogger.info(title);
    const report = several ? await copy() : await agentLogger.group(title, copy);
    const result = { promotion, report };
    if (!dryRun && !preflight) promoted?.push(result);
    return result;
  };
  return mapLimit(options.promotions, preflight ? CHECK_CONCURRENCY : IMAGE_CONCURRENCY, one);
}

export async function promoteImageTask(): Promise<void> {
  const started = Date.now();
  const options = readInputs();
  // Keys in Key Vault are read before any registry is: a wrong key or a missing permission fails first.
  const gate = await completeSignatureGate(options.signatureGate, options.azureSubscription);
  // Signs the promotion records (a Key Vault key); without one they are written unsigned.
  const signer = await recordSigner(options);
  const digests = testedDigests(options, agentLogger);
  const client = createRegistryClient({
    // The target connection first: on a shared host it needs push, and pull for the mount.
    registryConnections: [options.targetConnection, options.sourceConnection],
    azureSubscription: options.azureSubscription,
    insecureRegistries: options.insecureRegistries,
  });
  declarePromotionAccess(client, options);
  // Several images: every check (digests, target tags, read access) passes for all before any is
  // written, and the copies then promote exactly the digests that were checked.
  const verified = gate ? await gateSources(client, options, gate, digests) : undefined;
  let checked = verified ? verified.map((v) => v.digest) : digests;
  let checks: (CopyChecks | undefined)[] | undefined;
  if (options.promotions.length > 1 && !options.dryRun) {
    const pre = await promoteEach(client, options, checked, false, true);
    checked = pre.map((p) => p.report.digest);
    checks = pre.map((p) => p.report.checks); // the copies reuse what the checks read
  }
  const lockPlan = options.lockTarget ? await checkTargetLocks(client, options, checked) : undefined;
  const promoted: PromotionResult[] = [];
  let results: PromotionResult[];
  try {
    results = await promoteEach(client, options, checked, options.dryRun, false, promoted, checks);
  } catch (err) {
    // Images copied at once: some may be in production already. Say which, in the outputs too.
    promoted.forEach((r) => recordDone(`Promoted ${promotedReference(r)}`));
    if (promoted.length > 0) setOutput('imageReferences', JSON.stringify(promoted.map(promotedReference)));
    throw err;
  }
  for (const result of results) {
    const { report } = result;
    agentLogger.info(
      `${report.dryRun ? 'Would promote' : 'Promoted'} ${promotedReference(result)}: ` +
        `${report.blobsMounted} blobs mounted, ${report.blobsCopied} copied (${formatBytes(report.bytesCopied)}), ` +
        `${report.blobsSkipped} already there, ${report.referrersCopied} referrers.`,
    );
  }
  const first = results[0] as PromotionResult;
  setOutput('digest', first.report.digest);
  setOutput('imageReference', promotedReference(first));
  setOutput('imageReferences', JSON.stringify(results.map(promotedReference)));
  setOutput(
    'blobsMounted',
    results.reduce((n, r) => n + r.report.blobsMounted, 0),
  );
  setOutput(
    'blobsCopied',
    results.reduce((n, r) => n + r.report.blobsCopied, 0),
  );
  setOutput(
    'bytesCopied',
    results.reduce((n, r) => n + r.report.bytesCopied, 0),
  );
  // After every copy succeeded: a record is never written for an image that is not in the target.
  const records =
    options.recordPromotion && !options.dryRun
      ? await recordPromotions(client, results, verified, signer)
      : [];
  recordOutputs(records);
  // Locked last: the record is attached to the promoted digest while its tags still take writes.
  const locks = lockPlan ? await lockTargets(client, options, lockPlan, results) : undefined;
  if (locks) setOutput('lockedTags', JSON.stringify(locks.locked));
  const totals = {
    requests: client.stats.requests,
    durationMs: Date.now() - started,
    dryRun: options.dryRun,
  };
  if (verified) setOutput('verifiedSignatures', JSON.stringify(verified.map(signatureRecord)));
  uploadSummary(SUMMARY_TITLE, renderSummary(results, totals, { verified, records, locks }));
}
