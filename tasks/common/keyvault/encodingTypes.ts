// The contract between the file renderer and the value encoders.

/** Where a placeholder sits: the whole file (bytes as latin1, one char per byte) and its range. */
export interface TokenSite {
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** The file's line ending (`\n` or `\r\n`), for values spread over lines. */
  readonly eol: string;
}

/** What replaces [start, end) (usually the placeholder, sometimes its quotes too). */
export interface Encoded {
  readonly start: number;
  readonly end: number;
  /** The replacement text (a JS string; written as UTF-8). */
  readonly text: string;
  /** Forms of the value in the replacement to register as secrets (the value's own form excluded). */
  readonly forms: readonly string[];
}

/** A value cannot be written at a placeholder in this encoding; the message never holds the value. */
export class EncodingError extends Error {
  override readonly name = 'EncodingError';
}
