import {
  type Document,
  LineCounter,
  type Node,
  type ParsedNode,
  Scalar,
  isAlias,
  isMap,
  isScalar,
  parseAllDocuments,
} from 'yaml';
import type { YAMLMap } from 'yaml';
import type { PinFailure, SourceLocation, TextEdit } from './types';

/**
 * A YAML file parsed for surgery: every document of a multi-document stream, with the original
 * text and a line counter, so that values are found through the parsed nodes and replaced by
 * splicing the original text (comments, quoting, anchors, line endings and separators untouched).
 */
export interface YamlSource {
  readonly file: string;
  readonly text: string;
  readonly documents: readonly Document.Parsed[];
  location(offset: number): SourceLocation;
}

/** Parses `text`; a syntax error anywhere is a failure naming file and line. */
export function parseYamlSource(file: string, text: string): YamlSource | PinFailure {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const documents = Array.isArray(parsed) ? parsed : [];
  const location = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  for (const doc of documents) {
    const error = doc.errors[0];
    if (error) {
      return { file, line: location(error.pos[0]).line, message: `not valid YAML: ${error.message}` };
    }
  }
  return { file, text, documents, location };
}

export const isPinFailure = (v: unknown): v is PinFailure =>
  typeof v === 'object' && v !== null && 'message' in v && !('documents' in v);

/** Follows an alias to the node it names (aliases are resolved within their own document). */
export function resolveAlias(node: unknown, doc: Document.Parsed): ParsedNode | undefined {
  if (isAlias(node)) return node.resolve(doc) as ParsedNode | undefined;
  return (node ?? undefined) as ParsedNode | undefined;
}

/** The scalar key of a pair as text, or undefined for complex keys. */
export function keyText(key: unknown): string | undefined {
  return isScalar(key) && typeof key.value === 'string' ? key.value : undefined;
}

/**
 * The value of `key` in a map, following YAML merge keys (`<<: *defaults`) when the map does not
 * set it itself. Undefined when absent; `null` as a node when present but empty.
 */
export function mapValue(map: YAMLMap, key: string, doc: Document.Parsed, depth = 0): ParsedNode | undefined {
  for (const pair of map.items) {
    if (keyText(pair.key) === key) return resolveAlias(pair.value, doc) ?? undefined;
  }
  if (depth > 8) return undefined;
  for (const pair of map.items) {
    if (keyText(pair.key) !== '<<') continue;
    const merged = resolveAlias(pair.value, doc);
    const sources = isMap(merged) ? [merged] : merged && 'items' in merged ? merged.items : [];
    for (const source of sources) {
      const target = resolveAlias(source, doc);
      if (isMap(target)) {
        const found = mapValue(target, key, doc, depth + 1);
        if (found !== undefined) return found;
      }
    }
  }
  return undefined;
}

/** True when `map` has `key` (itself or through a merge key), even with an empty value. */
export function hasKey(map: YAMLMap, key: string, doc: Document.Parsed): boolean {
  return mapValue(map, key, doc) !== undefined;
}

/** A scalar's text as the user wrote it: the source of a plain scalar, the value of a quoted one. */
export function scalarText(node: Scalar, text: string): string | undefined {
  if (!node.range) return undefined;
  if (node.type === Scalar.PLAIN) return text.slice(node.range[0], node.range[1]);
  return typeof node.value === 'string' ? node.value : undefined;
}

export function isStringLike(node: Node | null | undefined): node is Scalar {
  return isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number');
}

export function isEmptyScalar(node: Node | null | undefined): boolean {
  return isScalar(node) && (node.value === null || node.value === '');
}

/** Why a scalar cannot be rewritten in place, or undefined when it can. */
export function rewriteProblem(node: Scalar): string | undefined {
  if (node.type === Scalar.BLOCK_FOLDED || node.type === Scalar.BLOCK_LITERAL) {
    return 'the value is a block scalar (| or >); write the image as a plain or quoted string to pin it';
  }
  if (!node.range) return 'the value has no position in the file';
  return undefined;
}

/**
 * The edit that makes `node` say `value`, keeping its quoting style. An empty plain value
 * (`digest:`) gets a space before the new value.
 */
export function replaceScalar(node: Scalar, text: string, value: string): TextEdit {
  const problem = rewriteProblem(node);
  const range = node.range;
  if (problem || !range) throw new Error(problem);
  const [start, end] = range;
  switch (node.type) {
    case Scalar.QUOTE_DOUBLE:
      return { start, end, text: `"${value}"` };
    case Scalar.QUOTE_SINGLE:
      return { start, end, text: `'${value}'` };
    default: {
      const needsSpace = start === end && text[start - 1] === ':';
      return { start, end, text: needsSpace ? ` ${value}` : value };
    }
  }
}
