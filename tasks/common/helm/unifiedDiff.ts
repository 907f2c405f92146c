/** One line of a line diff: kept (' '), removed ('-') or added ('+'). */
interface DiffLine {
  readonly op: ' ' | '-' | '+';
  readonly text: string;
}

/** The shortest edit between two line lists, by longest common subsequence (objects are small). */
function lineDiff(a: readonly string[], b: readonly string[]): DiffLine[] {
  const n = a.length;
  const m = b.length;
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    const row = lcs[i] as Uint32Array;
    const below = lcs[i + 1] as Uint32Array;
    for (let j = m - 1; j >= 0; j--) {
      row[j] =
        a[i] === b[j] ? (below[j + 1] as number) + 1 : Math.max(below[j] as number, row[j + 1] as number);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push({ op: ' ', text: a[i++] as string });
      j++;
    } else if (j < m && (i >= n || (lcs[i]?.[j + 1] ?? 0) >= (lcs[i + 1]?.[j] ?? 0))) {
      out.push({ op: '+', text: b[j++] as string });
    } else {
      out.push({ op: '-', text: a[i++] as string });
    }
  }
  // Removals first within each run of changes, as `diff -u` prints them.
  const ordered: DiffLine[] = [];
  for (let k = 0; k < out.length;) {
    if ((out[k] as DiffLine).op === ' ') {
      ordered.push(out[k++] as DiffLine);
      continue;
    }
    const run: DiffLine[] = [];
    while (k < out.length && (out[k] as DiffLine).op !== ' ') run.push(out[k++] as DiffLine);
    ordered.push(...run.filter((l) => l.op === '-'), ...run.filter((l) => l.op === '+'));
  }
  return ordered;
}

/**
 * A unified diff (`diff -u` hunks with `context` lines around each change) of two texts, without
 * the file header; [] when they are equal.
 */
export function unifiedDiff(before: string, after: string, context = 3): string[] {
  const split = (t: string) => (t === '' ? [] : t.replace(/\n$/, '').split('\n'));
  const lines = lineDiff(split(before), split(after));
  const changed = lines.map((l, k) => (l.op !== ' ' ? k : -1)).filter((k) => k >= 0);
  if (changed.length === 0) return [];
  const out: string[] = [];
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, (changed[k] as number) - context);
    let end = Math.min(lines.length, (changed[k] as number) + context + 1);
    while (k + 1 < changed.length && (changed[k + 1] as number) - context <= end) {
      k++;
      end = Math.min(lines.length, (changed[k] as number) + context + 1);
    }
    k++;
    // Line numbers (1-based) of the hunk's first line on each side.
    let oldLine = 1;
    let newLine = 1;
    for (const l of lines.slice(0, start)) {
      if (l.op !== '+') oldLine++;
      if (l.op !== '-') newLine++;
    }
    const hunk = lines.slice(start, end);
    const oldCount = hunk.filter((l) => l.op !== '+').length;
    const newCount = hunk.filter((l) => l.op !== '-').length;
    out.push(
      `@@ -${oldCount === 0 ? oldLine - 1 : oldLine},${oldCount} +${newCount === 0 ? newLine - 1 : newLine},${newCount} @@`,
    );
    for (const l of hunk) out.push(`${l.op}${l.text}`);
  }
  return out;
}
