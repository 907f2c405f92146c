// The blob phase of a copy: decide per blob whether to mount, skip or stream it, then do it with
// bounded concurrency. Mounts come from the source repository (same registry) or from a
// repository of the target registry this run already put the blob in.
import type { RepositoryLocation } from '../registry/blobs';
import type { RegistryClient } from '../registry/client';
import type { Descriptor } from '../registry/manifest';
import { mapLimit } from '../net/limiter';
import type { ProgressReporter } from './progress';

/** Where this run has seen each blob: registry -> digest -> repository. */
export class BlobLocations {
  private readonly byRegistry = new Map<string, Map<string, string>>();

  remember(at: RepositoryLocation, digest: string): void {
    let digests = this.byRegistry.get(at.registry);
    if (!digests) {
      digests = new Map();
      this.byRegistry.set(at.registry, digests);
    }
    digests.set(digest, at.repository);
  }

  find(registry: string, digest: string): string | undefined {
    return this.byRegistry.get(registry)?.get(digest);
  }
}

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
  readonly client: RegistryClient;
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
  const { client, source, target } = phase;
  if (source.registry === target.registry) {
    return { mount: blobs.map((blob) => ({ blob, from: source.repository })), stream: [] };
  }
  const mount: BlobPlan['mount'] = [];
  const unknown: Descriptor[] = [];
  for (const blob of blobs) {
    const known = client.blobLocations.find(target.registry, blob.digest);
    if (known === target.repository) phase.counts.skipped++;
    else if (known) mount.push({ blob, from: known });
    else unknown.push(blob);
  }
  const present = await mapLimit(unknown, phase.concurrency, (b) =>
    client.hasBlob(target.registry, target.repository, b.digest),
  );
  const stream = unknown.filter((_, i) => !present[i]);
  phase.counts.skipped += unknown.length - stream.length;
  unknown.filter((_, i) => present[i]).forEach((b) => client.blobLocations.remember(target, b.digest));
  return { mount, stream };
}

/** What a dry run reports: every planned mount as mounted, every stream as copied. */
export function countPlanned(plan: BlobPlan, counts: BlobCounts): void {
  counts.mounted += plan.mount.length;
  counts.copied += plan.stream.length;
  counts.bytes += plan.stream.reduce((n, b) => n + b.size, 0);
}

/** Mounts and streams the planned blobs; a refused mount (401/403) turns the rest into streams. */
export async function transferBlobs(
  phase: BlobPhase,
  plan: BlobPlan,
  progress: ProgressReporter,
): Promise<void> {
  const { client, source, target, counts } = phase;
  plan.stream.forEach((b) => progress.addTotal(b.size));
  let mountsRefused = false;
  const stream = async (blob: Descriptor, uploadUrl?: URL): Promise<void> => {
    await client.copyBlob(source, target, blob.digest, blob.size, (d) => progress.add(d), uploadUrl);
    counts.copied++;
    counts.bytes += blob.size;
    client.blobLocations.remember(target, blob.digest);
  };
  const work = [...plan.mount, ...plan.stream.map((blob) => ({ blob, from: undefined }))];
  await mapLimit(work, phase.concurrency, async ({ blob, from }) => {
    if (from === undefined) return stream(blob);
    if (!mountsRefused) {
      const mount = await client.tryMount(target, blob.digest, from);
      if (mount.mounted) {
        counts.mounted++;
        client.blobLocations.remember(target, blob.digest);
        return;
      }
      if (!mount.uploadUrl) mountsRefused = true; // 401/403: this registry will not mount for us
      progress.addTotal(blob.size);
      return stream(blob, mount.uploadUrl);
    }
    progress.addTotal(blob.size);
    return stream(blob);
  });
}
