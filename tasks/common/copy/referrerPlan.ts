// Which referrers (signatures, SBOMs, attestations) of an image the target lacks, read from the
// source with their trees, and how the target will list them (its API or the fallback tag).
import type { Logger } from '../log';
import {
  OCI_INDEX,
  digestTag,
  findManifest,
  findReferrers,
  getManifest,
  imageIn,
  manifestOfTag,
  referrersFromApi,
  type Descriptor,
  type ReferrersDeps,
  type RepositoryLocation,
  type TagListing,
} from '../registry';
import { readTree, type ManifestNode } from './imageTree';

export interface ReferrerPlan {
  /** Referrer manifests (with their trees) to push by digest. */
  readonly trees: ManifestNode[];
  /** Fallback indexes (`sha256-<hex>` tags) to write at the target. */
  readonly fallbacks: { readonly tag: string; readonly body: Buffer }[];
  /** cosign tags to create at the target, with the tree they point to. */
  readonly cosign: { readonly tag: string; readonly tree: ManifestNode }[];
}

export interface ReferrerPlanContext {
  /** The registry HTTP layer, with what the run learnt of each registry's referrers API. */
  readonly registry: ReferrersDeps;
  readonly source: RepositoryLocation;
  readonly target: RepositoryLocation;
  readonly concurrency: number;
  readonly logger: Logger;
  /** Source tags (first page), listed once per copy. */
  sourceTags(): Promise<TagListing>;
  /** Target tags (first page), listed once per copy when the source has referrers. */
  targetTags(): Promise<TagListing>;
}

const MAX_DEPTH = 3;

export function emptyPlan(): ReferrerPlan {
  return { trees: [], fallbacks: [], cosign: [] };
}

/** Descriptors the target already lists as referrers of `subject`, and its fallback index if any. */
async function targetReferrers(
  ctx: ReferrerPlanContext,
  subject: string,
): Promise<{ existing: Descriptor[]; api: boolean; hasFallback: boolean }> {
  const viaApi = await referrersFromApi(ctx.registry, ctx.target, subject);
  if (viaApi) return { existing: viaApi, api: true, hasFallback: false };
  const index = await manifestOfTag(
    ctx.registry.http,
    ctx.target,
    digestTag(subject),
    await ctx.targetTags(),
  );
  if (!index) return { existing: [], api: false, hasFallback: false };
  const existing = index.manifest.kind === 'index' ? [...index.manifest.manifests] : [];
  return { existing, api: false, hasFallback: true };
}

/** Plans the referrers of `subject` (and, a few levels deep, theirs) that the target lacks. */
export async function planReferrers(
  ctx: ReferrerPlanContext,
  subject: string,
  plan: ReferrerPlan = emptyPlan(),
  depth = 0,
): Promise<ReferrerPlan> {
  const found = await findReferrers(ctx.registry, ctx.source, subject, ctx.sourceTags(), true);
  if (found.descriptors.length === 0 && found.cosign.length === 0) return plan;

  const missing: Descriptor[] = [];
  if (found.descriptors.length > 0) {
    const target = await targetReferrers(ctx, subject);
    const have = new Set(target.existing.map((d) => d.digest));
    missing.push(...found.descriptors.filter((d) => !have.has(d.digest)));
    if (!target.api && missing.length > 0) {
      const body =
        !target.hasFallback && found.fallbackIndex
          ? found.fallbackIndex.body // the source's own index: same bytes, same digest
          : Buffer.from(
              JSON.stringify({
                schemaVersion: 2,
                mediaType: OCI_INDEX,
                manifests: [...target.existing, ...missing],
              }),
              'utf8',
            );
      plan.fallbacks.push({ tag: digestTag(subject), body });
    }
  }
  for (const descriptor of missing) {
    const fetched = await getManifest(ctx.registry.http, imageIn(ctx.source, { digest: descriptor.digest }));
    const tree = await readTree(ctx.registry.http, ctx.source, fetched, ctx.concurrency);
    plan.trees.push(tree);
    if (depth + 1 < MAX_DEPTH) await planReferrers(ctx, descriptor.digest, plan, depth + 1);
  }
  for (const entry of found.cosign) {
    const targetTags = await ctx.targetTags();
    const existing =
      !targetTags.complete || targetTags.tags.includes(entry.tag)
        ? await findManifest(ctx.registry.http, imageIn(ctx.target, { tag: entry.tag }))
        : undefined;
    if (existing?.digest === entry.digest) continue;
    if (existing) {
      ctx.logger.warn(
        `The target's cosign tag ${entry.tag} points to ${existing.digest}, the source's to ${entry.digest}: left as it is (merge the signatures with cosign copy if both are needed).`,
      );
      continue;
    }
    // The tag's manifest was fetched when it was found: its tree is read from there.
    const fetched =
      entry.fetched ?? (await getManifest(ctx.registry.http, imageIn(ctx.source, { digest: entry.digest })));
    plan.cosign.push({
      tag: entry.tag,
      tree: await readTree(ctx.registry.http, ctx.source, fetched, ctx.concurrency),
    });
  }
  return plan;
}
