// The blob phase of a copy: decide per blob whether to mount, skip or stream it, then do it with
// bounded concurrency. Mounts come from the source repository (same registry) or from a
// repository of the target registry this run already put the blob in.
import {
  copyBlob,
  hasBlob,
  tryMount,
  type Descriptor,
  type RegistryHttp,
  type RepositoryLocation,
} from '../registry';
import { mapLimit } from '../net/limiter';
import type { BlobLocations } from './blobLocations';
import type { ProgressReporter } from './progress';

export interface BlobCounts {
  mounted: number;
  copied: number;
  skipped: number;
  bytes: number;
}

interface BlobPlan {
  /** Blobs to mount, with the repository of the target registry to mount from. */
  readonly mount: { readonly blob: Descriptor; readonly from: string }[];
  readonly stream: Descriptor[];
}

export interface BlobPhase {
  readonly http: RegistryHttp;
  /** Where this run has put each blob (mount sources). */
  readonly locations: BlobLocations;
  readonly source: RepositoryLocation;
  readonly target: RepositoryLocation;
  readonly concurrency: number;
  readonly counts: BlobCounts;
}

/**
 * Same registry: mount everything from the source repository (one request each, no HEAD first).
 * Across registries: a blob this run already put in another repository of the target registry
 * is mounted from there; the others are asked for with HEAD, skipped when present, else streamed.
 */
export async function planBlobs(phase: BlobPhase, blobs: readonly Descriptor[]): Promise<BlobPlan> {
  const { http, locations, source, target } = phase;
  if (source.registry === target.registry) {
    return { mount: blobs.map((blob) => ({ blob, from: source.repository })), stream: [] };
  }
  const mount: BlobPlan['mount'] = [];
  const unknown: Descriptor[] = [];
  for (const blob of blobs) {
    const known = locations.find(target.registry, blob.digest);
    if (known === target.repository) phase.counts.skipped++;
    else if (known) mount.push({ blob, from: known });
    else unknown.push(blob);
  }
  const present = await mapLimit(unknown, phase.concurrency, (b) => hasBlob(http, target, b.digest));
  const stream = unknown.filter((_, i) => !present[i]);
  phase.counts.skipped += unknown.length - stream.length;
  unknown.filter((_, i) => present[i]).forEach((b) => locations.remember(target, b.digest));
  return { mount, stream };
}

/** What a dry run reports: every planned mount as mounted, every stream as copied. */
export function countPlanned(plan: BlobPlan, counts: BlobCounts): void {
  counts.mounted += plan.mount.length;
  counts.copied += plan.stream.length;
  counts.bytes += plan.stream.reduce((n, b) => n + b.size, 0);
}

/** Mounts and streams the planned blobs; a refused mount (401/403) turns the rest of the run's into streams. */
export async function transferBlobs(
  phase: BlobPhase,
  plan: BlobPlan,
  progress: ProgressReporter,
): Promise<void> {
  const { http, locations, source, target, counts } = phase;
  plan.stream.forEach((b) => progress.addTotal(b.size));
  const stream = async (blob: Descriptor, uploadUrl?: URL): Promise<void> => {
    await copyBlob(http, {
      from: source,
      to: target,
      digest: blob.digest,
      size: blob.size,
      onProgress: (d) => progress.add(d),
      ...(uploadUrl ? { uploadUrl } : {}),
    });
    counts.copied++;
    counts.bytes += blob.size;
    locations.remember(target, blob.digest);
  };
  const work = [...plan.mount, ...plan.stream.map((blob) => ({ blob, from: undefined }))];
  await mapLimit(work, phase.concurrency, async ({ blob, from }) => {
    if (from === undefined) return stream(blob);
    if (!locations.refusesMounts(target.registry, from)) {
      const mount = await tryMount(http, target, blob.digest, from);
      if (mount.mounted) {
        counts.mounted++;
        locations.remember(target, blob.digest);
        return;
      }
      if (!mount.uploadUrl) locations.mountRefused(target.registry, from); // 401/403: it will not mount for us
      progress.addTotal(blob.size);
      return stream(blob, mount.uploadUrl);
    }
    progress.addTotal(blob.size);
    return stream(blob);
  });
}
