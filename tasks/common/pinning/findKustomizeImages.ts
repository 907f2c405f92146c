import { type Document, type Scalar, type YAMLMap, isMap, isScalar, isSeq } from 'yaml';
import type { PinFormat, TextEdit } from './types';
import { YamlFindings } from './yamlOccurrences';
import { type YamlSource, keyText, mapValue, replaceScalar, resolveAlias, scalarText } from './yamlSource';

/**
 * kustomization.yaml: each `images:` entry `{name, newName?, newTag?, digest?}` names the image
 * `(newName or name):newTag[@digest]`. Pinning fills `digest` (kustomize's own field for it),
 * adding the key right after `newTag`, in the entry's style, when the entry has none.
 * An entry without newTag or digest takes its tag from the manifests: it is pinned there.
 */
export function findKustomizeImages(source: YamlSource): YamlFindings {
  const findings = new YamlFindings(source);
  for (const doc of source.documents) {
    const root = doc.contents;
    if (!isMap(root)) continue;
    const images = mapValue(root, 'images', doc);
    if (!isSeq(images)) continue;
    images.items.forEach((item, i) => {
      const entry = resolveAlias(item, doc);
      if (isMap(entry)) addEntry(findings, entry, doc, `images[${i}]`);
    });
  }
  return findings;
}

function valueText(findings: YamlFindings, node: unknown): string | undefined {
  if (!isScalar(node) || node.value === null) return undefined;
  const text = (scalarText(node, findings.source.text) ?? '').trim();
  return text === '' ? undefined : text;
}

function addEntry(findings: YamlFindings, entry: YAMLMap, doc: Document.Parsed, path: string): void {
  const name = mapValue(entry, 'name', doc);
  const newName = mapValue(entry, 'newName', doc);
  const newTag = mapValue(entry, 'newTag', doc);
  const digest = mapValue(entry, 'digest', doc);
  const image = valueText(findings, newName) ?? valueText(findings, name);
  const tag = valueText(findings, newTag);
  const pinned = valueText(findings, digest);
  if (image === undefined || !isScalar(name)) return;
  const reference = `${image}${tag ? `:${tag}` : ''}${pinned ? `@${pinned}` : ''}`;
  const anchor = isScalar(digest) ? digest : isScalar(newTag) ? newTag : name;
  if (tag === undefined && pinned === undefined) {
    if (newName !== undefined) {
      findings.unresolvable.push({
        ...findings.source.location(anchor.range?.[0] ?? 0),
        text: image,
        reason: `${path} renames the image without newTag or digest: its tag comes from the manifests`,
      });
    }
    return;
  }
  if (!findings.firstVisit(anchor) || findings.reportedUnusable(anchor, reference, path)) return;
  const text = findings.source.text;
  const rewrite = (newDigest: string, _format: PinFormat): TextEdit[] => {
    if (isScalar(digest)) return pinned === newDigest ? [] : [replaceScalar(digest, text, newDigest)];
    return [insertDigestAfter(entry, newTag as Scalar, text, newDigest)];
  };
  findings.occurrences.push(findings.occurrence(anchor, reference, `${path}.digest`, rewrite));
}

/** Adds `digest: <d>` after the newTag pair: a new line at newTag's indentation, or `, digest: <d>` in a flow map. */
function insertDigestAfter(entry: YAMLMap, newTag: Scalar, text: string, digest: string): TextEdit {
  const valueEnd = newTag.range?.[1] ?? 0;
  if (entry.flow) return { start: valueEnd, end: valueEnd, text: `, digest: ${digest}` };
  const pair = entry.items.find((p) => keyText(p.key) === 'newTag');
  const keyStart = isScalar(pair?.key) ? (pair.key.range?.[0] ?? 0) : 0;
  const indent = keyStart - (text.lastIndexOf('\n', keyStart - 1) + 1);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let lineEnd = text.indexOf('\n', valueEnd);
  if (lineEnd < 0) lineEnd = text.length;
  else if (text[lineEnd - 1] === '\r') lineEnd -= 1;
  return { start: lineEnd, end: lineEnd, text: `${eol}${' '.repeat(indent)}digest: ${digest}` };
}
