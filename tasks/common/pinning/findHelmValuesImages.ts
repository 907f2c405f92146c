import { type Document, type YAMLMap, isMap, isScalar } from 'yaml';
import { pinnedTagText } from './referenceText';
import type { PinFormat, TextEdit } from './types';
import { YamlFindings, addStringImage, walkPairs } from './yamlOccurrences';
import { type YamlSource, mapValue, replaceScalar, resolveAlias, scalarText } from './yamlSource';

/**
 * Helm values files: every `image:` key, at any depth, holding either a string (`image: repo:tag`)
 * or a map `{registry?, repository, tag, digest?}`. A map with a `digest` key gets the digest
 * there; otherwise its tag is pinned (`tag: 1.2.3@sha256:...`, which `repo:tag` templates accept).
 */
export function findHelmValuesImages(source: YamlSource): YamlFindings {
  const findings = new YamlFindings(source);
  for (const doc of source.documents) {
    walkPairs(doc.contents, '', (_map, key, value, path) => {
      if (key !== 'image') return 'descend';
      const node = resolveAlias(value, doc);
      if (isMap(node)) {
        if (mapValue(node, 'repository', doc) !== undefined) addImageMap(findings, node, doc, path);
        return 'descend';
      }
      addStringImage(findings, value, doc, path);
      return 'skip';
    });
  }
  return findings;
}

interface MapParts {
  readonly registry: string | undefined;
  readonly repository: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

function text(findings: YamlFindings, node: unknown): string | undefined {
  if (!isScalar(node) || node.value === null) return undefined;
  const value = (scalarText(node, findings.source.text) ?? '').trim();
  return value === '' ? undefined : value;
}

function addImageMap(findings: YamlFindings, map: YAMLMap, doc: Document.Parsed, path: string): void {
  const nodes = {
    registry: mapValue(map, 'registry', doc),
    repository: mapValue(map, 'repository', doc),
    tag: mapValue(map, 'tag', doc),
    digest: mapValue(map, 'digest', doc),
  };
  const repositoryNode = nodes.repository;
  if (!isScalar(repositoryNode)) return;
  if (
    nodes.tag === undefined &&
    nodes.digest === undefined &&
    /:[^/]*$/.test(text(findings, repositoryNode) ?? '')
  ) {
    // `repository: nginx:1.25` with no tag key: the repository value is the whole reference.
    addStringImage(findings, repositoryNode, doc, `${path}.repository`);
    return;
  }
  if (!findings.firstVisit(repositoryNode)) return;
  const parts: MapParts = {
    registry: text(findings, nodes.registry),
    repository: text(findings, repositoryNode) ?? '',
    tag: text(findings, nodes.tag),
    digest: text(findings, nodes.digest),
  };
  const reference =
    (parts.registry ? `${parts.registry}/` : '') +
    parts.repository +
    (parts.tag ? `:${parts.tag}` : '') +
    (parts.digest ? `@${parts.digest}` : '');
  // The node the pin is written to: the digest value when the map has that key, else the tag.
  const target = isScalar(nodes.digest) ? nodes.digest : isScalar(nodes.tag) ? nodes.tag : undefined;
  if (parts.repository === '' || findings.reportedUnusable(repositoryNode, reference, path)) return;
  if (target === undefined || (parts.tag === undefined && parts.digest === undefined)) {
    findings.unresolvable.push({
      ...findings.source.location(repositoryNode.range?.[0] ?? 0),
      text: reference,
      reason: `${path} has no tag: the chart's default (usually its appVersion) applies; set ${path}.tag to pin it`,
    });
    return;
  }
  if (findings.reportedUnusable(target, reference, path)) return;
  const source = findings.source.text;
  const rewrite = (digest: string, _format: PinFormat): TextEdit[] => {
    if (target === nodes.digest)
      return parts.digest === digest ? [] : [replaceScalar(target, source, digest)];
    const pinnedTag = pinnedTagText(parts.tag ?? '', digest);
    return pinnedTag === parts.tag ? [] : [replaceScalar(target, source, pinnedTag)];
  };
  const where = target === nodes.digest ? `${path}.digest` : `${path}.tag`;
  findings.occurrences.push(findings.occurrence(target, reference, where, rewrite));
}
