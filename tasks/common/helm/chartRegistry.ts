import { findManifest, getManifest, imageIn, type RegistryClient } from '../registry';

/** Media type of the layer holding the chart archive in a Helm OCI artifact. */
export const HELM_CHART_LAYER = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';

/** A chart version already in the registry. */
export interface ExistingChart {
  readonly manifestDigest: string;
  /** Digest of the chart archive layer (the .tgz bytes Helm pushed). */
  readonly chartLayerDigest?: string;
}

/** What publishing needs to know from the registry, by repository and tag. */
export interface ChartRegistry {
  find(repository: string, tag: string): Promise<ExistingChart | undefined>;
}

/** The registry client's view: HEAD the tag, then read the manifest for the chart layer. */
export function chartRegistry(client: RegistryClient, host: string): ChartRegistry {
  return {
    async find(repository, tag) {
      const at = { registry: host, repository };
      const head = await findManifest(client.http, imageIn(at, { tag }));
      if (!head) return undefined;
      const fetched = await getManifest(client.http, imageIn(at, { digest: head.digest }));
      const layers = fetched.manifest.kind === 'image' ? fetched.manifest.layers : [];
      const chart = layers.find((l) => l.mediaType === HELM_CHART_LAYER);
      return { manifestDigest: fetched.digest, ...(chart ? { chartLayerDigest: chart.digest } : {}) };
    },
  };
}
