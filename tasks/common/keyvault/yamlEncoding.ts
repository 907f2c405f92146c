// Writes a value at a placeholder in a YAML file so that a YAML parser reads back exactly the
// value, whatever the placeholder's surroundings:
//  - inside "...":            double-quoted escaping;
//  - inside '...':            '' for ', when the value is one line of printable characters;
//                             otherwise, when the placeholder is the whole scalar, a "..." scalar;
//  - the whole unquoted value (`key: #{x}#`, `- #{x}#`): a "..." scalar (always a string);
//  - inside a literal block (`key: |`): the value's lines, indented like the placeholder's line
//    (the block's chomping indicator decides the final line break: `|-` none, `|` one, `|+` all);
//  - inside a folded block (`>`): single-line values only;
//  - part of a longer unquoted value: only values of characters a plain scalar can hold anywhere.
// Anything else is an EncodingError asking to quote the placeholder.
import { type Encoded, EncodingError, type TokenSite } from './encodingTypes';

/** Characters a YAML double-quoted scalar must escape (YAML 1.2 non-printables and line breaks). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is matched
const NEEDS_ESCAPE = /[\\"\x00-\x1F\x7F-\x9F\u2028\u2029\uFEFF\uFFFE\uFFFF\uD800-\uDFFF]/g;
const NAMED: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** The content of a YAML double-quoted scalar holding `value` (no quotes). */
export function yamlDoubleQuotedContent(value: string): string {
  return value.replace(
    NEEDS_ESCAPE,
    (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
  );
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what is excluded
const PRINTABLE_LINE = /^[^\x00-\x1F\x7F-\x9F\u2028\u2029\uFEFF\uFFFE\uFFFF\uD800-\uDFFF]*$/;
/** What an unquoted value may hold anywhere inside a longer plain scalar. */
const PLAIN_SAFE = /^[\p{L}\p{N}._~+/=^$()<>;!@%*&?-]*$/u;
const PLAIN_INDICATOR_START = /^[-?!&*%@]/;

type Quote = '"' | "'";

/** The quoted scalar open at the end of `before` (a line's text up to the placeholder), if any. */
function openQuote(before: string): { quote: Quote; at: number } | undefined {
  let open: { quote: Quote; at: number } | undefined;
  let lastSignificant = '';
  for (let i = 0; i < before.length; i++) {
    const c = before[i] as string;
    if (open?.quote === '"') {
      if (c === '\\') i++;
      else if (c === '"') open = undefined;
    } else if (open?.quote === "'") {
      if (c === "'" && before[i + 1] === "'") i++;
      else if (c === "'") open = undefined;
    } else if ((c === '"' || c === "'") && /^$|[:\-[{,?]$/.test(lastSignificant)) {
      open = { quote: c, at: i };
    }
    if (!/\s/.test(c)) lastSignificant = c;
  }
  return open;
}

const indentOf = (line: string) => /^ */.exec(line)?.[0].length ?? 0;

/** `|` or `>` when the placeholder's line is content of a block scalar. */
function blockStyle(text: string, lineStart: number): '|' | '>' | undefined {
  const lines = text.slice(0, lineStart).split(/\r?\n/);
  const current = indentOf(text.slice(lineStart));
  lines.pop(); // the empty remainder after the last line break
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] as string;
    if (line.trim() === '') continue;
    if (indentOf(line) >= current) continue;
    const header = /(?:^|[\s:-])([|>])[1-9+-]{0,2}\s*(?:#.*)?$/.exec(line);
    return header ? (header[1] as '|' | '>') : undefined;
  }
  return undefined;
}

export function encodeYaml(value: string, site: TokenSite): Encoded {
  const { text, start, end } = site;
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const lineEndAt = text.slice(end).search(/\r?\n|$/);
  const before = text.slice(lineStart, start);
  const after = text.slice(end, end + lineEndAt);
  const doubleQuoted = yamlDoubleQuotedContent(value);
  const at = (replacement: string, from = start, to = end): Encoded => ({
    start: from,
    end: to,
    text: replacement,
    forms: [...new Set([replacement, doubleQuoted])].filter((f) => f !== value),
  });
  const singleLine = PRINTABLE_LINE.test(value);

  const quote = openQuote(before);
  if (quote?.quote === '"') return at(doubleQuoted);
  if (quote?.quote === "'") {
    if (singleLine) return at(value.replace(/'/g, "''"));
    if (quote.at === before.length - 1 && after.startsWith("'"))
      return at(`"${doubleQuoted}"`, start - 1, end + 1);
    throw new EncodingError(
      "the value has line breaks or control characters and cannot be written inside a '...' scalar; " +
        'make the placeholder the whole value, or use "..." quotes',
    );
  }

  const block = blockStyle(text, lineStart);
  if (block !== undefined) {
    const lines = value.split('\n');
    if (!lines.every((l) => PRINTABLE_LINE.test(l))) {
      throw new EncodingError(
        'the value holds CR or control characters, which a YAML block scalar cannot keep; use a "..." placeholder',
      );
    }
    if (block === '>' && lines.length > 1) {
      throw new EncodingError(
        "a folded block (>) would fold the value's line breaks; use a literal block (|)",
      );
    }
    const indent = ' '.repeat(indentOf(text.slice(lineStart)));
    return at(lines.map((l, i) => (i === 0 || l === '' ? l : indent + l)).join(site.eol));
  }

  const wholeValue =
    /^\s*(?:-\s+)*(?:[^\s#'"][^#]*?:\s+)?(?:-\s+)*$/.test(before) && /^\s*(?:#.*)?$/.test(after);
  if (wholeValue) return at(`"${doubleQuoted}"`);
  const atScalarStart = /(?:^|:\s|-\s)\s*$/.test(before);
  if (PLAIN_SAFE.test(value) && !(atScalarStart && PLAIN_INDICATOR_START.test(value))) return at(value);
  throw new EncodingError(
    'the placeholder is part of an unquoted YAML value and the value holds characters (spaces, :, #, quotes, ' +
      'brackets, line breaks...) that would change the YAML; put the whole value in "..." quotes',
  );
}
