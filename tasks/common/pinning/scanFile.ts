import { isMap } from 'yaml';
import { findComposeImages } from './findComposeImages';
import { findDockerfileImages } from './findDockerfileImages';
import { findHelmValuesImages } from './findHelmValuesImages';
import { findKubernetesImages } from './findKubernetesImages';
import { findKustomizeImages } from './findKustomizeImages';
import type { FileKind, FileScan, PinFailure } from './types';
import { type YamlSource, isPinFailure, parseYamlSource } from './yamlSource';

export type ScanOutcome =
  | { readonly outcome: 'scanned'; readonly scan: FileScan }
  | { readonly outcome: 'failed'; readonly failure: PinFailure }
  | { readonly outcome: 'skipped'; readonly file: string; readonly reason: string };

const DOCKERFILE_NAME = /^(dockerfile|containerfile)([.-].*)?$|[.-](dockerfile|containerfile)$/i;
const KUSTOMIZATION_NAME = /^kustomization(\.ya?ml)?$/i;
const COMPOSE_NAME = /^(docker-)?compose([.-].*)?\.ya?ml$/i;
const YAML_NAME = /\.(ya?ml|json)$/i;

/**
 * Finds the image references of one file, choosing the finder by the file's name and content.
 * `file` is the path relative to the working directory (forward slashes), used in every message.
 */
export function scanFile(file: string, absolutePath: string, text: string): ScanOutcome {
  const base = file.slice(file.lastIndexOf('/') + 1);
  if (DOCKERFILE_NAME.test(base) || (!base.includes('.') && /^\s*FROM\s+\S/im.test(text))) {
    const { occurrences, unresolvable } = findDockerfileImages(file, text);
    return scanned(file, absolutePath, text, 'dockerfile', { occurrences, unresolvable, failures: [] });
  }
  const source = parseYamlSource(file, text);
  if (isPinFailure(source)) {
    if (text.includes('{{')) {
      return { outcome: 'skipped', file, reason: 'a Helm template (pin the chart values instead)' };
    }
    if (!YAML_NAME.test(base)) {
      return { outcome: 'skipped', file, reason: 'neither a Dockerfile nor a YAML file' };
    }
    return { outcome: 'failed', failure: source };
  }
  const hasMaps = source.documents.some((d) => isMap(d.contents));
  if (!hasMaps && !YAML_NAME.test(base)) {
    return { outcome: 'skipped', file, reason: 'neither a Dockerfile nor a YAML file' };
  }
  const kind = yamlKind(base, source);
  return scanned(file, absolutePath, text, kind, findYamlImages(kind, source));
}

function scanned(
  file: string,
  absolutePath: string,
  text: string,
  kind: FileKind,
  findings: Pick<FileScan, 'occurrences' | 'unresolvable' | 'failures'>,
): ScanOutcome {
  const { occurrences, unresolvable, failures } = findings;
  return {
    outcome: 'scanned',
    scan: { file, absolutePath, kind, text, occurrences, unresolvable, failures },
  };
}

function rootKeys(source: YamlSource, key: string): unknown[] {
  return source.documents.flatMap((d) =>
    isMap(d.contents) && d.contents.has(key) ? [d.contents.get(key)] : [],
  );
}

/** The kind of a YAML file: by name for kustomization and compose files, else by content. */
export function yamlKind(base: string, source: YamlSource): Exclude<FileKind, 'dockerfile'> {
  const kinds = rootKeys(source, 'kind');
  if (KUSTOMIZATION_NAME.test(base) || kinds.includes('Kustomization')) return 'kustomization';
  if (COMPOSE_NAME.test(base)) return 'compose';
  const isObject = source.documents.some(
    (d) => isMap(d.contents) && d.contents.has('apiVersion') && d.contents.has('kind'),
  );
  if (isObject) return 'kubernetes';
  const services = rootKeys(source, 'services');
  if (services.length > 0 && rootKeys(source, 'image').length === 0 && !/^values/i.test(base)) {
    return services.every((s) => isMap(s)) ? 'compose' : 'helmValues';
  }
  return 'helmValues';
}

function findYamlImages(
  kind: FileKind,
  source: YamlSource,
): Pick<FileScan, 'occurrences' | 'unresolvable' | 'failures'> {
  switch (kind) {
    case 'kustomization':
      return findKustomizeImages(source);
    case 'compose':
      return findComposeImages(source);
    case 'kubernetes':
      return findKubernetesImages(source);
    default:
      return findHelmValuesImages(source);
  }
}
