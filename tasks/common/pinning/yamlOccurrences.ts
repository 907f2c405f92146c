import { type Document, type Scalar, type YAMLMap, isMap, isScalar, isSeq } from 'yaml';
import { pinnedReferenceText, templateMarker } from './referenceText';
import type { ImageOccurrence, PinFailure, PinFormat, TextEdit, UnresolvableReference } from './types';
import {
  type YamlSource,
  keyText,
  replaceScalar,
  resolveAlias,
  rewriteProblem,
  scalarText,
} from './yamlSource';

/** What the finders of one YAML file collect. */
export class YamlFindings {
  readonly occurrences: ImageOccurrence[] = [];
  readonly unresolvable: UnresolvableReference[] = [];
  readonly failures: PinFailure[] = [];
  /** Offsets already reported: an anchored value named by several aliases is one occurrence. */
  private readonly seen = new Set<number>();

  constructor(readonly source: YamlSource) {}

  firstVisit(node: Scalar): boolean {
    const start = node.range?.[0] ?? -1;
    if (this.seen.has(start)) return false;
    this.seen.add(start);
    return true;
  }

  /** Reports a value built from variables, or one that cannot be rewritten; true when it did. */
  reportedUnusable(node: Scalar, text: string, where: string): boolean {
    const at = this.source.location(node.range?.[0] ?? 0);
    const marker = templateMarker(text);
    if (marker !== undefined) {
      this.unresolvable.push({
        ...at,
        text,
        reason: `${where} is built from ${marker}, known only at deploy time`,
      });
      return true;
    }
    const problem = rewriteProblem(node);
    if (problem !== undefined) {
      this.failures.push({ file: at.file, line: at.line, message: `${where}: ${problem}` });
      return true;
    }
    return false;
  }

  /** An occurrence whose rewrite replaces (or inserts at) the range of `node`. */
  occurrence(
    node: Scalar,
    reference: string,
    where: string,
    rewrite: (digest: string, format: PinFormat) => TextEdit[],
  ): ImageOccurrence {
    const [start, end] = node.range ?? [0, 0];
    const at = this.source.location(start);
    return { ...at, endColumn: at.column + (end - start), reference, where, rewrite };
  }
}

/** A string value naming an image: `image: nginx:1.25`. */
export function addStringImage(
  findings: YamlFindings,
  value: unknown,
  doc: Document.Parsed,
  where: string,
): void {
  const node = resolveAlias(value, doc);
  if (!isScalar(node) || typeof node.value !== 'string' || !findings.firstVisit(node)) return;
  const text = (scalarText(node, findings.source.text) ?? '').trim();
  if (text === '' || findings.reportedUnusable(node, text, where)) return;
  const rewrite = (digest: string, format: PinFormat): TextEdit[] => {
    const pinned = pinnedReferenceText(text, digest, format);
    return pinned === text ? [] : [replaceScalar(node, findings.source.text, pinned)];
  };
  findings.occurrences.push(findings.occurrence(node, text, where, rewrite));
}

/** Calls `visit` for every pair of every map under `node`, with a readable path; aliases are not followed. */
export function walkPairs(
  node: unknown,
  path: string,
  visit: (map: YAMLMap, key: string, value: unknown, path: string) => 'descend' | 'skip',
): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = keyText(pair.key);
      if (key === undefined) continue;
      const childPath = path ? `${path}.${key}` : key;
      if (visit(node, key, pair.value, childPath) === 'descend') walkPairs(pair.value, childPath, visit);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => walkPairs(item, `${path}[${i}]`, visit));
  }
}

/** `kind/name` of a Kubernetes document, for messages. */
export function objectLabel(doc: Document.Parsed): string {
  const root = doc.contents;
  if (!isMap(root)) return '';
  const kind = resolveAlias(root.get('kind', true), doc);
  const metadata = resolveAlias(root.get('metadata', true), doc);
  const name = isMap(metadata) ? resolveAlias(metadata.get('name', true), doc) : undefined;
  const kindText = isScalar(kind) ? String(kind.value) : '';
  const nameText = isScalar(name) ? String(name.value) : '';
  return kindText && nameText ? `${kindText}/${nameText}` : kindText;
}
