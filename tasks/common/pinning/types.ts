import type { ImageReference } from '../registry';

export type FileKind = 'kubernetes' | 'helmValues' | 'compose' | 'dockerfile' | 'kustomization';

export const PIN_FORMATS = ['tagAndDigest', 'digestOnly'] as const;
/** `tagAndDigest`: `repo:tag@sha256:...` (readable); `digestOnly`: `repo@sha256:...`. */
export type PinFormat = (typeof PIN_FORMATS)[number];

/** Replace `[start, end)` of a file's original text with `text` (an insertion when start == end). */
export interface TextEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** A position in a file: 1-based line and column. */
export interface SourceLocation {
  /** Path relative to the working directory, forward slashes. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** One image reference found in a file, with how to rewrite it. */
export interface ImageOccurrence extends SourceLocation {
  /** Last column (1-based, exclusive) of the text that states the reference on its line. */
  readonly endColumn: number;
  /** The reference as written (for a Helm map or kustomize entry: assembled from its fields). */
  readonly reference: string;
  /** Where in the file: `Deployment/web spec.template.spec.containers[0].image`, `FROM (stage build)`. */
  readonly where: string;
  /** The edits that pin this occurrence to `digest`; empty when the text already says it. */
  rewrite(digest: string, format: PinFormat): TextEdit[];
}

/** A reference that cannot be known without running something (ARG, `${VAR}`, a template): reported, not guessed. */
export interface UnresolvableReference extends SourceLocation {
  readonly text: string;
  readonly reason: string;
}

/** What a finder sees in one file. */
export interface FileScan {
  readonly file: string;
  readonly absolutePath: string;
  readonly kind: FileKind;
  readonly text: string;
  readonly occurrences: readonly ImageOccurrence[];
  readonly unresolvable: readonly UnresolvableReference[];
  /** Values that name an image but cannot be rewritten (e.g. a YAML block scalar). */
  readonly failures: readonly PinFailure[];
}

/** A problem tied to a place in a file; the run fails listing all of them. */
export interface PinFailure {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** What the registry says about a reference. */
export interface ResolvedImage {
  /** Digest of what the reference names (the index for a multi-platform image). */
  readonly digest: string;
  readonly mediaType: string;
  /** `os/arch[/variant]` of each platform the image offers; empty when the registry does not say. */
  readonly platforms: readonly string[];
  /** The digest of the requested platform's manifest, when a platform was asked for and this is an index. */
  readonly platformDigest?: string;
  readonly platformMediaType?: string;
  /** Digests of an index's child manifests (lets verify see a platform digest as no drift). */
  readonly childDigests?: readonly string[];
}

/**
 * Resolves a reference through the registry. For a reference with a digest it must check that the
 * digest exists (and answer with that digest); for a tag it answers with what the tag names now.
 * Throws (any error; its message is shown) when the registry cannot answer.
 */
export type ImageResolver = (ref: ImageReference) => Promise<ResolvedImage>;
