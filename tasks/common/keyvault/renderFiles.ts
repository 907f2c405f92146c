import fs from 'node:fs';
import { UserError } from '../errors';
import type { Logger, SecretRegistry } from '../log';
import { EncodingError } from './encodingTypes';
import { type Placeholder, type PlaceholderSyntax, findPlaceholders } from './placeholders';
import { type EncodingName, type FileEncoding, encodeAt, encodingForFile } from './valueEncodings';

export const UNRESOLVED_POLICIES = ['fail', 'warn', 'keep'] as const;
export type UnresolvedPolicy = (typeof UNRESOLVED_POLICIES)[number];

export interface RenderOptions extends PlaceholderSyntax {
  readonly encoding: EncodingName;
  readonly unresolved: UnresolvedPolicy;
}

export interface RenderedFile {
  readonly path: string;
  readonly encoding: FileEncoding;
  /** The file's new bytes; every byte outside the placeholders is the original's. */
  readonly output: Buffer;
  readonly changed: boolean;
  readonly replaced: readonly Pick<Placeholder, 'name' | 'line'>[];
  readonly unresolved: readonly Pick<Placeholder, 'name' | 'line'>[];
}

/** A secret's value by placeholder name (`name` or `name/version`, any case); undefined if not selected. */
export type SecretLookup = (placeholder: string) => string | undefined;

const asBytes = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

/**
 * Replaces the placeholders of one file in memory. The file is handled as bytes (latin1, one
 * char per byte), so its encoding, BOM and line endings stay exactly as they were; each value
 * goes in as UTF-8 in the file's encoding (`auto`: by extension). Every encoded form of a value
 * is registered as a secret before it is placed.
 */
export function renderFile(
  file: string,
  bytes: Buffer,
  lookup: SecretLookup,
  options: RenderOptions,
  secrets: SecretRegistry,
): RenderedFile {
  const text = bytes.toString('latin1');
  const encoding = encodingForFile(file, options.encoding);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const replaced: Pick<Placeholder, 'name' | 'line'>[] = [];
  const unresolved: Pick<Placeholder, 'name' | 'line'>[] = [];
  const parts: string[] = [];
  let copied = 0;
  for (const placeholder of findPlaceholders(text, options)) {
    const value = lookup(placeholder.name);
    if (value === undefined) {
      unresolved.push({ name: placeholder.name, line: placeholder.line });
      continue;
    }
    let encoded;
    try {
      encoded = encodeAt(encoding, value, { text, start: placeholder.start, end: placeholder.end, eol });
    } catch (err) {
      if (!(err instanceof EncodingError)) throw err;
      throw new UserError(
        `${file}:${placeholder.line}: the value of '${placeholder.name}' cannot be written as ${encoding}: ${err.message}.`,
      );
    }
    encoded.forms.forEach((form) => secrets.register(form));
    if (encoded.start < copied) {
      throw new UserError(`${file}:${placeholder.line}: placeholders overlap; separate them.`);
    }
    parts.push(text.slice(copied, encoded.start), asBytes(encoded.text));
    copied = encoded.end;
    replaced.push({ name: placeholder.name, line: placeholder.line });
  }
  parts.push(text.slice(copied));
  const output = Buffer.from(parts.join(''), 'latin1');
  return { path: file, encoding, output, changed: !output.equals(bytes), replaced, unresolved };
}

/**
 * Renders every file in memory first. Unresolved placeholders: `fail` throws before anything is
 * written, naming each (file, line, name); `warn` warns for each and leaves it; `keep` leaves it.
 */
export function renderFiles(
  files: readonly string[],
  lookup: SecretLookup,
  options: RenderOptions,
  secrets: SecretRegistry,
  logger: Logger,
): RenderedFile[] {
  const rendered = files.map((file) => renderFile(file, fs.readFileSync(file), lookup, options, secrets));
  const unresolved = rendered.flatMap((r) =>
    r.unresolved.map((u) => `${r.path}:${u.line}: ${options.prefix}${u.name}${options.suffix}`),
  );
  if (unresolved.length === 0) return rendered;
  if (options.unresolved === 'fail') {
    const shown = unresolved.slice(0, 20).map((u) => `  ${u}`);
    if (unresolved.length > shown.length) shown.push(`  ... and ${unresolved.length - shown.length} more`);
    throw new UserError(
      `${unresolved.length} placeholder(s) name no selected secret, so no file was changed:\n${shown.join('\n')}\n` +
        "Add the secrets to the 'secrets' input, fix the names, or set unresolvedTokens to warn or keep.",
    );
  }
  if (options.unresolved === 'warn') {
    unresolved.forEach((u) =>
      logger.warn(`Placeholder left unresolved (no selected secret has that name): ${u}`),
    );
  } else {
    logger.debug(`${unresolved.length} unresolved placeholder(s) kept as they are.`);
  }
  return rendered;
}
