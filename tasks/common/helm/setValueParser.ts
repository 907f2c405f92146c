/**
 * One `values` line read the way Helm's strvals parser reads a `--set`, `--set-string` or
 * `--set-json` argument, into the values tree that Helm would build from it. One difference, by
 * design: a line is exactly one assignment, so a comma outside a leading `{...}` list belongs to the
 * value (as if written `\,`) instead of starting the next assignment.
 *
 * Reasons given by `SetLineError` follow Helm's wording but never quote the value.
 */

/** How values are typed: `--set` (numbers, booleans, null), `--set-string` (strings), `--set-json`. */
export type ValueTyping = 'set' | 'string' | 'json';

export type HelmValue = string | number | boolean | null | HelmValue[] | ValueMap;
export interface ValueMap {
  [key: string]: HelmValue;
}

/** A line Helm would reject, or one this task refuses; the message holds no part of the value. */
export class SetLineError extends Error {}

/** strvals' limits (Helm 3.17 and Helm 4). */
const MAX_INDEX = 65536;
const MAX_NESTED_NAME_LEVEL = 30;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export function isValueMap(v: HelmValue | undefined): v is ValueMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Sets an own property, even `__proto__`. An empty key is ignored, as Helm ignores it. */
function setKey(map: ValueMap, key: string, value: HelmValue): void {
  if (key === '') return;
  Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
}

function getKey(map: ValueMap, key: string): HelmValue | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

/** Go's `%q`, near enough for keys. */
const quote = (s: string): string => JSON.stringify(s);
/** Go's `%q` of a rune slice: `['x' 'y']`. */
const quoteRunes = (s: string): string => `[${Array.from(s, (c) => `'${c}'`).join(' ')}]`;

/** Go's name for the dynamic type of a value, as in its "interface conversion" panics. */
function goType(v: HelmValue, typing: ValueTyping): string {
  if (v === null) return 'nil';
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'object') return 'map[string]interface {}';
  if (typeof v === 'number') return typing === 'json' ? 'float64' : 'int64';
  return typeof v === 'boolean' ? 'bool' : 'string';
}

/** Go's `strings.EqualFold` against an ASCII word (the long s folds to s, as in Go). */
function equalFold(text: string, word: string): boolean {
  return text.length === word.length && text.replace(/ſ/g, 's').toLowerCase() === word;
}

/** strvals' `typedVal`. */
function typedValue(text: string, typing: ValueTyping): HelmValue {
  if (typing === 'string') return text;
  if (equalFold(text, 'true')) return true;
  if (equalFold(text, 'false')) return false;
  if (equalFold(text, 'null')) return null;
  if (text === '0') return 0;
  if (text !== '' && text[0] !== '0' && /^[+-]?[0-9]+$/.test(text)) {
    const n = BigInt(text);
    if (n >= INT64_MIN && n <= INT64_MAX) {
      if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) {
        throw new SetLineError(
          `the integer has too many digits: Helm would take it exactly from --set, but reads numbers from the values file this task passes as 64-bit floats and would change it. Use 'valueTypes: string', or a values file`,
        );
      }
      return Number(n);
    }
  }
  return text;
}

/** Go's `strconv.Atoi` for a list index (a bigint, so the limit checks quote it exactly). */
function atoi(text: string): bigint {
  if (!/^[+-]?[0-9]+$/.test(text))
    throw new SetLineError(`strconv.Atoi: parsing ${quote(text)}: invalid syntax`);
  const n = BigInt(text);
  if (n < INT64_MIN || n > INT64_MAX)
    throw new SetLineError(`strconv.Atoi: parsing ${quote(text)}: value out of range`);
  return n;
}

function setIndex(list: HelmValue[], index: bigint, value: HelmValue): HelmValue[] {
  if (index < 0n) throw new SetLineError(`negative ${index} index not allowed`);
  if (index > BigInt(MAX_INDEX))
    throw new SetLineError(`index of ${index} is greater than maximum supported index of ${MAX_INDEX}`);
  const i = Number(index);
  while (list.length <= i) list.push(null);
  list[i] = value;
  return list;
}

/** Go panics (recovered by Helm) when an earlier line left a value of another type on the path. */
function conversionError(key: string, found: HelmValue, wanted: string, typing: ValueTyping): SetLineError {
  return new SetLineError(
    `unable to parse key: interface conversion: interface {} is ${goType(found, typing)}, not ${wanted} ` +
      `(an earlier line gave ${quote(key)} a value of another kind)`,
  );
}

class LineParser {
  private pos = 0;

  constructor(
    private readonly chars: readonly string[],
    private readonly typing: ValueTyping,
  ) {}

  private readChar(): string | undefined {
    return this.chars[this.pos++];
  }

  private rest(): string {
    return this.chars.slice(this.pos).join('');
  }

  /** strvals' `runesUntil`: reads up to a stop character, `\x` is a literal x; `last` is undefined at the end. */
  private runesUntil(stop: string): { text: string; last: string | undefined } {
    let text = '';
    for (;;) {
      const c = this.readChar();
      if (c === undefined) return { text, last: undefined };
      if (stop.includes(c)) return { text, last: c };
      if (c === '\\') {
        const next = this.readChar();
        if (next === undefined) return { text, last: undefined };
        text += next;
      } else text += c;
    }
  }

  /** strvals' `key`: the key path up to `=`, then the value. */
  key(data: ValueMap, level: number): void {
    const { text: k, last } = this.runesUntil('=[,.');
    switch (last) {
      case undefined:
        if (k === '') return;
        throw new SetLineError(`key ${quote(k)} has no value`);
      case '[': {
        let index: bigint;
        try {
          index = this.keyIndex();
        } catch (e) {
          throw new SetLineError(`error parsing index: ${(e as Error).message}`);
        }
        const existing = getKey(data, k);
        if (existing !== undefined && !Array.isArray(existing))
          throw conversionError(k, existing, '[]interface {}', this.typing);
        setKey(data, k, this.listItem(existing ?? [], index, level));
        return;
      }
      case '=':
        setKey(data, k, this.value());
        return;
      case ',':
        throw new SetLineError(`key ${quote(k)} has no value (cannot end with ,)`);
      default: {
        if (level + 1 > MAX_NESTED_NAME_LEVEL)
          throw new SetLineError(
            `value name nested level is greater than maximum supported nested level of ${MAX_NESTED_NAME_LEVEL}`,
          );
        const existing = getKey(data, k);
        if (existing !== undefined && !isValueMap(existing))
          throw conversionError(k, existing, 'map[string]interface {}', this.typing);
        const inner: ValueMap = existing ?? {};
        this.key(inner, level + 1);
        if (Object.keys(inner).length === 0) throw new SetLineError(`key map ${quote(k)} has no value`);
        setKey(data, k, inner);
      }
    }
  }

  private keyIndex(): bigint {
    const { text, last } = this.runesUntil(']');
    if (last === undefined) throw new SetLineError('EOF');
    return atoi(text);
  }

  /** strvals' `listItem`: what follows `name[i]`. */
  private listItem(list: HelmValue[], index: bigint, level: number): HelmValue[] {
    if (index < 0n) throw new SetLineError(`negative ${index} index not allowed`);
    const { text: k, last } = this.runesUntil('[.=');
    if (k.length > 0) throw new SetLineError(`unexpected data at end of array index: ${quoteRunes(k)}`);
    switch (last) {
      case undefined:
        return list;
      case '=':
        return setIndex(list, index, this.value());
      case '[': {
        let next: bigint;
        try {
          next = this.keyIndex();
        } catch (e) {
          throw new SetLineError(`error parsing index: ${(e as Error).message}`);
        }
        const existing = index < BigInt(list.length) ? list[Number(index)] : null;
        if (existing !== null && existing !== undefined && !Array.isArray(existing))
          throw conversionError(`[${index}]`, existing, '[]interface {}', this.typing);
        return setIndex(list, index, this.listItem(existing ?? [], next, level));
      }
      default: {
        const existing = index < BigInt(list.length) ? list[Number(index)] : undefined;
        let inner: ValueMap = {};
        if (existing !== undefined) {
          if (isValueMap(existing)) inner = existing;
          else list[Number(index)] = inner;
        }
        this.key(inner, level);
        return setIndex(list, index, inner);
      }
    }
  }

  /** The value after `=`: the rest of the line (a `{a,b}` list when it starts with `{`), or JSON. */
  private value(): HelmValue {
    if (this.typing === 'json') {
      const text = this.rest();
      this.pos = this.chars.length;
      if (text.trim() === '') return null;
      try {
        return JSON.parse(text) as HelmValue;
      } catch {
        throw new SetLineError('the value is not one valid JSON value, which --set-json needs');
      }
    }
    if (this.chars[this.pos] !== '{') return typedValue(this.runesUntil('').text, this.typing);
    this.pos++;
    const list: HelmValue[] = [];
    for (;;) {
      const { text, last } = this.runesUntil(',}');
      if (last === undefined) throw new SetLineError("list must terminate with '}'");
      list.push(typedValue(text, this.typing));
      if (last === '}') break;
    }
    if (this.pos < this.chars.length)
      throw new SetLineError(
        "text follows the list's closing '}': a line holds one assignment (write \\{ for a value that starts with a brace)",
      );
    return list;
  }
}

/** Applies one line (`key=value`, leading whitespace already removed) to `tree`, as Helm would. */
export function applySetLine(line: string, typing: ValueTyping, tree: ValueMap): void {
  if (/^[=.[]/.test(line)) throw new SetLineError('the key is empty, so Helm would ignore the line');
  new LineParser(Array.from(line), typing).key(tree, 0);
}
