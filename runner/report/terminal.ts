// Drawing for the terminal: a step's log as the agent shows it, its summary markdown as text
// with aligned tables, and plain tables for the runner's own reports.
import type { LogLine } from '../pipeline/agentLog';
import { parseMarkdown, plain, type Block } from './markdown';

/** A text table with aligned columns (numbers right-aligned when `right` says so). */
export function textTable(
  header: readonly string[],
  rows: readonly string[][],
  right: readonly boolean[] = [],
): string[] {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const draw = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (right[c] ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return header.every((h) => h === '') ? [rule, ...rows.map(draw)] : [draw(header), rule, ...rows.map(draw)];
}

function block(b: Block): string[] {
  switch (b.kind) {
    case 'heading':
      return [plain(b.content), '='.repeat(Math.min(plain(b.content).length, 80))];
    case 'paragraph':
      return [plain(b.content)];
    case 'list':
      return b.items.map((i) => `  - ${plain(i)}`);
    case 'code':
      return b.text.split('\n').map((l) => `    ${l}`);
    case 'table':
      return textTable(
        b.header.map((h) => plain(h)),
        b.rows.map((r) => r.map((c) => plain(c, ', '))),
        b.align.map((a) => a === 'right'),
      );
  }
}

/** Summary markdown as terminal text, blocks separated by a blank line. */
export function markdownToText(markdown: string): string[] {
  return parseMarkdown(markdown).flatMap((b, i) => (i > 0 ? ['', ...block(b)] : block(b)));
}

/** The agent log of a step, groups indented, warnings and errors marked. */
export function logToText(lines: readonly LogLine[]): string[] {
  const out: string[] = [];
  let depth = 0;
  const push = (pad: string, text: string) =>
    text.split(/\r?\n/).forEach((l, i) => out.push(i === 0 ? l : `${pad}  ${l}`));
  for (const line of lines) {
    const pad = '  '.repeat(depth);
    switch (line.kind) {
      case 'group':
        push(pad, `${pad}▼ ${line.text}`);
        depth++;
        break;
      case 'endgroup':
        depth = Math.max(0, depth - 1);
        break;
      case 'warning':
        push(pad, `${pad}WARNING: ${line.text}`);
        break;
      case 'error':
        push(pad, `${pad}ERROR: ${line.text}`);
        break;
      case 'debug':
        push(pad, `${pad}[debug] ${line.text}`);
        break;
      case 'section':
        push(pad, `${pad}== ${line.text}`);
        break;
      case 'command':
        push(pad, `${pad}$ ${line.text}`);
        break;
      default:
        push(pad, `${pad}${line.text}`);
    }
  }
  return out;
}
