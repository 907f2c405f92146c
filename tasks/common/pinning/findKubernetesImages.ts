import { isScalar } from 'yaml';
import { YamlFindings, addStringImage, objectLabel, walkPairs } from './yamlOccurrences';
import type { YamlSource } from './yamlSource';

/**
 * Kubernetes manifests (every document of the stream): the `image` of every container,
 * initContainer and ephemeralContainer of Pods, Deployments, StatefulSets, DaemonSets,
 * ReplicaSets, Jobs and CronJobs, found through one walk that also finds any other `image:`
 * string of a custom resource (a List's items included). ConfigMaps and Secrets hold opaque data
 * and are left alone.
 */
const OPAQUE_KINDS = new Set(['ConfigMap', 'Secret']);

export function findKubernetesImages(source: YamlSource): YamlFindings {
  const findings = new YamlFindings(source);
  for (const doc of source.documents) {
    const label = objectLabel(doc);
    if (OPAQUE_KINDS.has(label.split('/')[0] ?? '')) continue;
    walkPairs(doc.contents, '', (_map, key, value, path) => {
      if (key === 'image' && !isMapOrSeq(value)) {
        addStringImage(findings, value, doc, label ? `${label} ${path}` : path);
        return 'skip';
      }
      return 'descend';
    });
  }
  return findings;
}

function isMapOrSeq(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'items' in value && !isScalar(value);
}
