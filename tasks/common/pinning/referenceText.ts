import type { PinFormat } from './types';

/** A reference as written, split without normalising: `localhost:5000/app:1.0@sha256:..`. */
export interface WrittenReference {
  /** Everything before the tag: `localhost:5000/app`. */
  readonly name: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

export function splitWritten(written: string): WrittenReference {
  const at = written.indexOf('@');
  const nameAndTag = at >= 0 ? written.slice(0, at) : written;
  const digest = at >= 0 ? written.slice(at + 1) : undefined;
  const slash = nameAndTag.lastIndexOf('/');
  const colon = nameAndTag.lastIndexOf(':');
  if (colon > slash) return { name: nameAndTag.slice(0, colon), tag: nameAndTag.slice(colon + 1), digest };
  return { name: nameAndTag, tag: undefined, digest };
}

/**
 * The written reference pinned to `digest`, in the user's spelling (no registry or `library/`
 * added): `nginx:1.25` -> `nginx:1.25@sha256:..` (tagAndDigest) or `nginx@sha256:..` (digestOnly).
 */
export function pinnedReferenceText(written: string, digest: string, format: PinFormat): string {
  const { name, tag } = splitWritten(written);
  return format === 'digestOnly' || tag === undefined ? `${name}@${digest}` : `${name}:${tag}@${digest}`;
}

/** A tag value (Helm `tag:`) pinned: `1.2.3` -> `1.2.3@sha256:..`. */
export function pinnedTagText(tag: string, digest: string): string {
  const at = tag.indexOf('@');
  return `${at >= 0 ? tag.slice(0, at) : tag}@${digest}`;
}

/**
 * The variable syntax in `text` that makes the reference unknowable without running something:
 * `${VAR}`, `$VAR`, `$(VAR)`, `{{ ... }}`; undefined when there is none.
 */
export function templateMarker(text: string): string | undefined {
  return /\$\{[^}]*\}?|\$\([^)]*\)?|\$[A-Za-z_][A-Za-z0-9_]*|\{\{.*?(\}\}|$)/.exec(text)?.[0];
}
