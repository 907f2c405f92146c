// Copies an image (and its referrers) between repositories or registries over the OCI API, in an
// order that can never leave a broken tag: blobs, child manifests, index, referrers, tags last.
import { UserError } from '../errors';
import {
  OCI_INDEX,
  findManifest,
  getManifest,
  firstTagPage,
  imageIn,
  pushManifest,
  type Descriptor,
  type FetchedManifest,
  type ImageReference,
  type RegistryClient,
  type RegistryHttp,
  type RepositoryLocation,
  type ResolvedManifest,
  type TagListing,
} from '../registry';
import { blobLocationsOf } from './blobLocations';
import { blobsOfTree, platformsOf, postOrder, readTree, type ManifestNode } from './imageTree';
import { mapLimit } from '../net/limiter';
import { ProgressReporter, type CopyProgress } from './progress';
import { countPlanned, planBlobs, transferBlobs, type BlobCounts } from './blobTransfer';
import { emptyPlan, planReferrers, type ReferrerPlan } from './referrerPlan';

/** Every manifest is pushed after the blobs and children it names were confirmed in the target. */
const BLOBS_CONFIRMED = { blobsConfirmed: true } as const;

/** What to copy; references, tags and digests come validated from where the inputs were read. */
export interface CopyOptions {
  readonly source: ImageReference;
  readonly target: RepositoryLocation;
  /** Tags to set on the target (none: the image is copied by digest only). */
  readonly tags: readonly string[];
  /** Fail before any write unless the source resolves to this digest. */
  readonly expectedDigest?: string;
  /** 'never': a target tag pointing elsewhere fails the copy before any write. */
  readonly overwrite: 'never' | 'always';
  readonly copyReferrers: boolean;
  /** Read and plan everything, write nothing, report what would move. */
  readonly dryRun: boolean;
  /**
   * Only the checks that can refuse a copy (source readable, expected digest, target tags), then
   * stop: no referrer discovery, no blob planning, nothing written. For checking several images
   * before copying any of them; the report holds the digest and the tag states only.
   */
  readonly checksOnly?: boolean;
  /**
   * What a checks-only pass of this copy read (its report's `checks`): the source manifest and the
   * target tags are taken from there instead of being read again (two requests less per image).
   */
  readonly checked?: CopyChecks;
  /** Blobs and manifests moved at once (default 4). */
  readonly concurrency?: number;
  readonly onProgress?: (p: CopyProgress) => void;
  /** Least time between progress reports (default 2000 ms). */
  readonly progressIntervalMs?: number;
  /** Also HEAD the target by digest after the copy, even when the PUT answers confirmed it. */
  readonly verifyByReadBack?: boolean;
}

/** The answers a checks-only pass read, for the copy that follows it. */
export interface CopyChecks {
  /** The source manifest as read (bytes, digest, parsed). */
  readonly root: FetchedManifest;
  /** Target tag -> the digest it pointed to; undefined when it did not exist. */
  readonly tagDigests: ReadonlyMap<string, string | undefined>;
}

/** The copied image's manifest descriptor (digest, media type, size), and what the copy did. */
export interface CopyReport extends ResolvedManifest {
  /** Platforms of a multi-arch image; [] for a single-platform image. */
  readonly platforms: string[];
  readonly blobsMounted: number;
  readonly blobsCopied: number;
  readonly blobsSkipped: number;
  readonly bytesCopied: number;
  readonly manifestsPushed: number;
  readonly tagsCreated: string[];
  readonly tagsUnchanged: string[];
  readonly referrersCopied: number;
  /** Registry API requests made by this copy (token requests not included). */
  readonly requests: number;
  readonly durationMs: number;
  readonly dryRun: boolean;
  /** Set by a checks-only pass: what it read, to hand to the copy as `checked`. */
  readonly checks?: CopyChecks;
}

export async function copyImage(client: RegistryClient, options: CopyOptions): Promise<CopyReport> {
  const started = Date.now();
  const { http } = client;
  const requestsBefore = client.stats.requests;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const source: RepositoryLocation = {
    registry: options.source.registry,
    repository: options.source.repository,
  };
  const target = options.target;
  const sameRepository = source.registry === target.registry && source.repository === target.repository;
  const tags = [...new Set(options.tags)];
  // One token per registry for the whole copy: push (or pull, dry run) on the target, pull on the source.
  client.declareAccess([
    { ...target, access: options.dryRun ? 'pull' : 'push' },
    { ...source, access: 'pull' },
  ]);

  // Read: the source and its whole tree, then the target's tags. No write before all checks pass.
  // After a checks-only pass, its answers are used: the source and target tags are not read twice.
  const checked = options.checked;
  const root = checked?.root ?? (await getManifest(http, options.source));
  if (options.expectedDigest && root.digest !== options.expectedDigest) {
    throw new UserError(
      `The source image ${options.source.toString()} resolves to ${root.digest}, not the expected ${options.expectedDigest}: nothing was copied.`,
    );
  }
  const current = await mapLimit(tags, concurrency, async (tag) =>
    checked?.tagDigests.has(tag)
      ? checked.tagDigests.get(tag)
      : (await findManifest(http, imageIn(target, { tag })))?.digest,
  );
  const conflicts = tags.flatMap((tag, i) => {
    const digest = current[i];
    return digest && digest !== root.digest ? [`${tag} (points to ${digest})`] : [];
  });
  if (conflicts.length > 0 && options.overwrite === 'never') {
    throw new UserError(
      `Target tags of ${target.registry}/${target.repository} already point to another image: ${conflicts.join(', ')}; ` +
        `the source ${options.source.toString()} is ${root.digest}. Nothing was copied; use overwrite 'always' to move the tags.`,
    );
  }
  const unchanged = tags.filter((_, i) => current[i] === root.digest);
  const toTag = tags.filter((tag) => !unchanged.includes(tag));
  if (options.checksOnly) {
    const checks = { root, tagDigests: new Map(tags.map((tag, i) => [tag, current[i]])) };
    return checkedOnly(checks, toTag, unchanged, client.stats.requests - requestsBefore, started);
  }
  const tree = await readTree(http, source, root, concurrency);
  const locations = blobLocationsOf(client);
  blobsOfTree(tree).forEach((b) => locations.remember(source, b.digest));
  const targetHasImage = sameRepository || unchanged.length > 0;

  let sourceTags: Promise<TagListing> | undefined;
  let targetTags: Promise<TagListing> | undefined;
  const plan: ReferrerPlan = options.copyReferrers
    ? await planReferrers(
        {
          registry: { http, apiSupport: client.referrersApi },
          source,
          target,
          concurrency,
          logger: http.logger,
          sourceTags: () => (sourceTags ??= firstTagPage(http, source)),
          // One repository: its tags are the source's. Read before anything is written.
          targetTags: () =>
            sameRepository
              ? (sourceTags ??= firstTagPage(http, source))
              : (targetTags ??= firstTagPage(http, target)),
        },
        root.digest,
      )
    : emptyPlan();

  const referrerTrees = [...plan.trees, ...plan.cosign.map((c) => c.tree)];
  const blobs = uniqueBlobs([
    ...(targetHasImage ? [] : blobsOfTree(tree)),
    ...referrerTrees.flatMap(blobsOfTree),
  ]);
  const imageChildren = targetHasImage ? [] : postOrder(tree).filter((n) => n.digest !== root.digest);
  const rootByDigest =
    !targetHasImage && (referrerTrees.length > 0 || plan.fallbacks.length > 0 || toTag.length === 0);
  const rootWritten = !targetHasImage || toTag.length > 0;
  const manifestsPushed =
    imageChildren.length +
    (rootWritten && !targetHasImage ? 1 : 0) +
    plan.trees.reduce((n, t) => n + postOrder(t).length, 0) +
    plan.cosign.reduce((n, c) => n + postOrder(c.tree).length, 0) +
    plan.fallbacks.length;
  const counts: BlobCounts = { mounted: 0, copied: 0, skipped: 0, bytes: 0 };
  const report = (): CopyReport => ({
    digest: root.digest,
    mediaType: root.mediaType,
    size: root.size,
    platforms: platformsOf(tree),
    blobsMounted: counts.mounted,
    blobsCopied: counts.copied,
    blobsSkipped: counts.skipped,
    bytesCopied: counts.bytes,
    manifestsPushed,
    tagsCreated: toTag,
    tagsUnchanged: unchanged,
    referrersCopied: referrerTrees.length,
    requests: client.stats.requests - requestsBefore,
    durationMs: Date.now() - started,
    dryRun: options.dryRun,
  });

  const phase = { http, locations, source, target, concurrency, counts };
  const blobPlan = await planBlobs(phase, blobs);
  if (options.dryRun) {
    countPlanned(blobPlan, counts);
    return report();
  }

  // Write: blobs, image manifests, referrers, tags last.
  const progress = new ProgressReporter(options.onProgress, options.progressIntervalMs ?? 2000);
  await transferBlobs(phase, blobPlan, progress);
  progress.finish();

  let confirmed = targetHasImage;
  await putByDigest(http, target, imageChildren, concurrency);
  if (rootByDigest)
    confirmed = (await pushManifest(http, imageIn(target, { digest: root.digest }), root, BLOBS_CONFIRMED))
      .confirmed;
  for (const referrer of plan.trees) await putByDigest(http, target, postOrder(referrer), concurrency);
  for (const { tag, tree: signature } of plan.cosign) {
    const nodes = postOrder(signature);
    await putByDigest(http, target, nodes.slice(0, -1), concurrency);
    await pushManifest(http, imageIn(target, { tag }), signature, BLOBS_CONFIRMED);
  }
  for (const fallback of plan.fallbacks) {
    await pushManifest(http, imageIn(target, { tag: fallback.tag }), {
      body: fallback.body,
      mediaType: OCI_INDEX,
    });
  }
  const tagged = await mapLimit(toTag, concurrency, (tag) =>
    pushManifest(http, imageIn(target, { tag }), root, BLOBS_CONFIRMED),
  );
  confirmed ||= tagged.some((t) => t.confirmed);

  if (!confirmed || options.verifyByReadBack) {
    const back = await findManifest(http, imageIn(target, { digest: root.digest }));
    if (back?.digest !== root.digest) {
      throw new UserError(
        `After the copy, ${target.registry}/${target.repository}@${root.digest} reads back as ${back?.digest ?? 'missing'}: the target registry did not keep the image as pushed.`,
      );
    }
  }
  return report();
}

function checkedOnly(
  checks: CopyChecks,
  toTag: string[],
  unchanged: string[],
  requests: number,
  started: number,
): CopyReport {
  return {
    digest: checks.root.digest,
    mediaType: checks.root.mediaType,
    size: checks.root.size,
    platforms: [],
    blobsMounted: 0,
    blobsCopied: 0,
    blobsSkipped: 0,
    bytesCopied: 0,
    manifestsPushed: 0,
    tagsCreated: toTag,
    tagsUnchanged: unchanged,
    referrersCopied: 0,
    requests,
    durationMs: Date.now() - started,
    dryRun: true,
    checks,
  };
}

function uniqueBlobs(blobs: readonly Descriptor[]): Descriptor[] {
  const byDigest = new Map<string, Descriptor>();
  for (const blob of blobs) if (!byDigest.has(blob.digest)) byDigest.set(blob.digest, blob);
  return [...byDigest.values()];
}

/** PUTs manifests by digest, those of one height at once (children always before parents). */
async function putByDigest(
  http: RegistryHttp,
  target: RepositoryLocation,
  nodes: readonly ManifestNode[],
  concurrency: number,
): Promise<void> {
  const height = new Map<string, number>();
  const heightOf = (node: ManifestNode): number => {
    const known = height.get(node.digest);
    if (known !== undefined) return known;
    const h = node.children.length === 0 ? 0 : 1 + Math.max(...node.children.map(heightOf));
    height.set(node.digest, h);
    return h;
  };
  const levels = new Map<number, ManifestNode[]>();
  for (const node of nodes) levels.set(heightOf(node), [...(levels.get(heightOf(node)) ?? []), node]);
  for (const level of [...levels.keys()].sort((a, b) => a - b)) {
    await mapLimit(levels.get(level) ?? [], concurrency, (node) =>
      pushManifest(http, imageIn(target, { digest: node.digest }), node, BLOBS_CONFIRMED),
    );
  }
}
