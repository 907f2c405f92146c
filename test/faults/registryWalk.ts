// Walks what a registry's tags point at, straight at the registry (not through the fault proxy):
// every tag's manifest, each child manifest of an index and each blob (config, layers) must be
// there. A tag pointing at anything incomplete is a broken tag.
import { blobExists, getManifest, listTags } from '../emulators/registry/images';
import type { RegistryFixture } from '../emulators/registry';

interface ManifestBody {
  manifests?: { digest: string }[];
  config?: { digest: string };
  layers?: { digest: string }[];
}

/** What is missing below one manifest reference ([] when complete). */
async function missingBelow(reg: RegistryFixture, repository: string, reference: string): Promise<string[]> {
  const manifest = await getManifest(reg, repository, reference);
  if (!manifest) return [`manifest ${reference}`];
  const body = JSON.parse(manifest.body.toString('utf8')) as ManifestBody;
  const missing: string[] = [];
  for (const child of body.manifests ?? [])
    missing.push(...(await missingBelow(reg, repository, child.digest)));
  for (const blob of [...(body.config ? [body.config] : []), ...(body.layers ?? [])]) {
    if (!(await blobExists(reg, repository, blob.digest)))
      missing.push(`blob ${blob.digest} of ${reference}`);
  }
  return missing;
}

/** Every tag of the repository with what it lacks; tags whose content is complete are left out. */
export async function brokenTags(
  reg: RegistryFixture,
  repository: string,
): Promise<{ tag: string; missing: string[] }[]> {
  const broken: { tag: string; missing: string[] }[] = [];
  for (const tag of await listTags(reg, repository)) {
    const missing = await missingBelow(reg, repository, tag);
    if (missing.length > 0) broken.push({ tag, missing });
  }
  return broken;
}
