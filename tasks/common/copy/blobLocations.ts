// Where this run has put or seen each blob, so that a later copy to the same registry mounts it
// instead of uploading it again. Kept by the copy engine, one record per registry client (a run).
import type { RegistryClient, RepositoryLocation } from '../registry';

/** Where this run has seen each blob (registry -> digest -> repository), and which mounts were refused. */
export class BlobLocations {
  private readonly byRegistry = new Map<string, Map<string, string>>();
  /** `registry from-repository` pairs whose mount was refused (401/403) this run: not asked again. */
  private readonly refusedMounts = new Set<string>();

  refusesMounts(registry: string, from: string): boolean {
    return this.refusedMounts.has(`${registry} ${from}`);
  }

  mountRefused(registry: string, from: string): void {
    this.refusedMounts.add(`${registry} ${from}`);
  }

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

const ofRun = new WeakMap<RegistryClient, BlobLocations>();

/** The blob locations of the run `client` serves; copies with the same client share them. */
export function blobLocationsOf(client: RegistryClient): BlobLocations {
  let locations = ofRun.get(client);
  if (!locations) {
    locations = new BlobLocations();
    ofRun.set(client, locations);
  }
  return locations;
}
