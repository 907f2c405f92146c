// The full manifest tree of an image: index -> child manifests -> blobs, read once.
import {
  blobsOf,
  childrenOf,
  getManifest,
  imageIn,
  platformName,
  type Descriptor,
  type FetchedManifest,
  type ParsedManifest,
  type RegistryHttp,
  type RepositoryLocation,
} from '../registry';
import { mapLimit } from '../net/limiter';

export interface ManifestNode {
  readonly digest: string;
  readonly mediaType: string;
  readonly body: Buffer;
  readonly manifest: ParsedManifest;
  readonly children: readonly ManifestNode[];
}

const MAX_DEPTH = 4;

/** Reads every manifest below `root` (by digest, from the same repository). */
export async function readTree(
  http: RegistryHttp,
  at: RepositoryLocation,
  root: FetchedManifest,
  concurrency: number,
  depth = 0,
): Promise<ManifestNode> {
  const children = childrenOf(root.manifest);
  if (children.length > 0 && depth >= MAX_DEPTH) {
    throw new Error(
      `${at.registry}/${at.repository}@${root.digest}: indexes nested deeper than ${MAX_DEPTH}`,
    );
  }
  const nodes = await mapLimit(children, concurrency, async (child) => {
    const fetched = await getManifest(http, imageIn(at, { digest: child.digest }));
    return readTree(http, at, fetched, concurrency, depth + 1);
  });
  return {
    digest: root.digest,
    mediaType: root.mediaType,
    body: root.body,
    manifest: root.manifest,
    children: nodes,
  };
}

/** Every manifest of the tree, children before their parents, each once. */
export function postOrder(root: ManifestNode): ManifestNode[] {
  const seen = new Set<string>();
  const out: ManifestNode[] = [];
  const visit = (node: ManifestNode): void => {
    if (seen.has(node.digest)) return;
    seen.add(node.digest);
    node.children.forEach(visit);
    out.push(node);
  };
  visit(root);
  return out;
}

/** Every blob the tree's manifests need, each once. */
export function blobsOfTree(root: ManifestNode): Descriptor[] {
  const blobs = new Map<string, Descriptor>();
  for (const node of postOrder(root)) {
    for (const blob of blobsOf(node.manifest)) if (!blobs.has(blob.digest)) blobs.set(blob.digest, blob);
  }
  return [...blobs.values()];
}

/** Platforms an index lists (`linux/amd64`, ...), attestation entries left out. */
export function platformsOf(root: ManifestNode): string[] {
  if (root.manifest.kind !== 'index') return [];
  const names = root.manifest.manifests.map((d) => platformName(d.platform)).filter((p): p is string => !!p);
  return [...new Set(names)];
}
