// The markdown the tasks write to the build summary (headings, paragraphs, lists, tables with
// `\|` and `<br>`, code spans and fences, bold), read into blocks that the terminal and HTML
// renderers both draw. Anything else stays literal text; no HTML from a summary is ever passed on.

export type Inline = { kind: 'text' | 'code' | 'bold'; text: string } | { kind: 'break' };

export type Block =
  | { kind: 'heading'; level: number; content: Inline[] }
  | { kind: 'paragraph'; content: Inline[] }
  | { kind: 'list'; items: Inline[][] }
  | { kind: 'code'; text: string }
  | { kind: 'table'; header: Inline[][]; align: ('left' | 'right')[]; rows: Inline[][][] };

/** Code spans, bold and `<br>`; the rest is text. */
export function parseInline(source: string): Inline[] {
  const out: Inline[] = [];
  const pattern = /`([^`]+)`|\*\*(.+?)\*\*|<br\s*\/?>/g;
  let last = 0;
  for (const m of source.matchAll(pattern)) {
    if (m.index > last) out.push({ kind: 'text', text: source.slice(last, m.index) });
    if (m[1] !== undefined) out.push({ kind: 'code', text: m[1] });
    else if (m[2] !== undefined) out.push({ kind: 'bold', text: m[2] });
    else out.push({ kind: 'break' });
    last = m.index + m[0].length;
  }
  if (last < source.length) out.push({ kind: 'text', text: source.slice(last) });
  return out;
}

/** Cells of a table row; `\|` is a literal pipe. */
function cells(row: string): string[] {
  const trimmed = row
    .trim()
    .replace(/^\|/, '')
    .replace(/(?<!\\)\|$/, '');
  return trimmed.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|'));
}

const SEPARATOR = /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/;

export function parseMarkdown(markdown: string): Block[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length > 0) blocks.push({ kind: 'paragraph', content: parseInline(paragraph.join(' ')) });
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      blocks.push({
        kind: 'heading',
        level: heading[1]?.length ?? 1,
        content: parseInline(heading[2] ?? ''),
      });
    } else if (/^```/.test(line)) {
      flush();
      const code: string[] = [];
      while (i + 1 < lines.length && !/^```/.test(lines[i + 1] ?? '')) code.push(lines[++i] ?? '');
      i++;
      blocks.push({ kind: 'code', text: code.join('\n') });
    } else if (line.trim().startsWith('|') && SEPARATOR.test(lines[i + 1] ?? '')) {
      flush();
      const header = cells(line).map(parseInline);
      const align = cells(lines[i + 1] ?? '').map((c) => (c.endsWith(':') ? 'right' : 'left'));
      i++;
      const rows: Inline[][][] = [];
      while (i + 1 < lines.length && (lines[i + 1] ?? '').trim().startsWith('|'))
        rows.push(cells(lines[++i] ?? '').map(parseInline));
      blocks.push({ kind: 'table', header, align, rows });
    } else if (/^\s*[-*]\s+/.test(line)) {
      flush();
      const items: Inline[][] = [];
      i--;
      while (i + 1 < lines.length && /^\s*[-*]\s+/.test(lines[i + 1] ?? ''))
        items.push(parseInline((lines[++i] ?? '').replace(/^\s*[-*]\s+/, '')));
      blocks.push({ kind: 'list', items });
    } else if (line.trim() === '') flush();
    else paragraph.push(line.trim());
  }
  flush();
  return blocks;
}

/** Plain text of inline content (breaks as `sep`). */
export function plain(content: readonly Inline[], sep = ' '): string {
  return content.map((c) => (c.kind === 'break' ? sep : c.text)).join('');
}
