import { pinnedReferenceText, templateMarker } from './referenceText';
import type { ImageOccurrence, PinFormat, SourceLocation, TextEdit, UnresolvableReference } from './types';

export interface DockerfileFindings {
  readonly occurrences: ImageOccurrence[];
  readonly unresolvable: UnresolvableReference[];
}

/** One instruction: its words with their offsets in the file (continuation lines joined). */
interface Word {
  readonly text: string;
  readonly start: number;
}

/**
 * Dockerfiles: `FROM [--platform=...] image [AS name]` and `COPY --from=image`. `scratch` and the
 * names of earlier stages are not images; a reference built from ARG (`${BASE}`) is reported, not
 * guessed. Honours line continuations (and the `# escape=` directive), comments and heredocs.
 */
export function findDockerfileImages(file: string, text: string): DockerfileFindings {
  const findings: DockerfileFindings = { occurrences: [], unresolvable: [] };
  const stages = new Set<string>();
  let stageIndex = 0;
  for (const words of instructions(text)) {
    const instruction = words[0]?.text.toUpperCase();
    if (instruction === 'FROM') {
      const args = words.slice(1).filter((w) => !w.text.startsWith('--'));
      const image = args[0];
      if (image) addImage(findings, file, text, image, stages, `FROM (stage ${stageIndex})`);
      const alias = args[1]?.text.toUpperCase() === 'AS' ? args[2]?.text.toLowerCase() : undefined;
      if (alias) stages.add(alias);
      stageIndex += 1;
    } else if (instruction === 'COPY' || instruction === 'ADD') {
      for (const word of words.slice(1)) {
        if (!word.text.startsWith('--')) break;
        const match = /^--from=(.+)$/i.exec(word.text);
        if (!match?.[1] || /^\d+$/.test(match[1])) continue;
        const from: Word = { text: match[1], start: word.start + word.text.length - match[1].length };
        addImage(findings, file, text, from, stages, `${instruction} --from`);
      }
    }
  }
  return findings;
}

function addImage(
  findings: DockerfileFindings,
  file: string,
  text: string,
  word: Word,
  stages: Set<string>,
  where: string,
): void {
  const reference = word.text;
  const lower = reference.toLowerCase();
  if (lower === 'scratch' || stages.has(lower)) return;
  const at = location(file, text, word.start);
  const marker = templateMarker(reference);
  if (marker !== undefined) {
    findings.unresolvable.push({ ...at, text: reference, reason: `${where} is built from ${marker} (ARG)` });
    return;
  }
  const rewrite = (digest: string, format: PinFormat): TextEdit[] => {
    const pinned = pinnedReferenceText(reference, digest, format);
    return pinned === reference
      ? []
      : [{ start: word.start, end: word.start + reference.length, text: pinned }];
  };
  findings.occurrences.push({ ...at, endColumn: at.column + reference.length, reference, where, rewrite });
}

function location(file: string, text: string, offset: number): SourceLocation {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line += 1;
    lineStart = i + 1;
  }
  return { file, line, column: offset - lineStart + 1 };
}

/** Splits the file into instructions of words, each word with its offset. */
function* instructions(text: string): Generator<Word[]> {
  const lines = physicalLines(text);
  const escape = /^#\s*escape\s*=\s*`/im.test(text.slice(0, 200)) ? '`' : '\\';
  let current: Word[] = [];
  let heredocEnd: string[] = [];
  for (const { content, start } of lines) {
    if (heredocEnd.length > 0) {
      if (content.replace(/^\t+/, '') === heredocEnd[0]) heredocEnd = heredocEnd.slice(1);
      continue;
    }
    if (current.length === 0 && /^\s*#/.test(content)) continue; // comment or parser directive
    if (current.length > 0 && /^\s*(#|$)/.test(content)) continue; // comment inside a continuation
    const continued = content.trimEnd().endsWith(escape);
    const body = continued ? content.slice(0, content.trimEnd().length - 1) : content;
    for (const match of body.matchAll(/\S+/g)) current.push({ text: match[0], start: start + match.index });
    if (continued) continue;
    heredocEnd = current.flatMap((w) => {
      const m = /^<<-?(["']?)([A-Za-z_][A-Za-z0-9_]*)\1$/.exec(w.text);
      return m?.[2] ? [m[2]] : [];
    });
    if (current.length > 0) yield current;
    current = [];
  }
  if (current.length > 0) yield current;
}

function physicalLines(text: string): { content: string; start: number }[] {
  const result: { content: string; start: number }[] = [];
  let start = 0;
  while (start <= text.length) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    const content = text.slice(start, end).replace(/\r$/, '');
    result.push({ content, start });
    if (newline < 0) break;
    start = newline + 1;
  }
  return result;
}
