// Manifests of the four media types (+ OCI artifact manifests), parsed from the exact bytes
// received, and their digests verified.
import { UserError } from '../errors';
import { digestOf, digestProblem } from './digest';
import {
  DOCKER_MANIFEST,
  DOCKER_SCHEMA1,
  DOCKER_SCHEMA1_SIGNED,
  OCI_ARTIFACT_MANIFEST,
  OCI_INDEX,
  OCI_MANIFEST,
  bareMediaType,
  isIndexType,
  MANIFEST_TYPES,
  isManifestType,
} from './mediaTypes';

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
  readonly 'os.version'?: string;
}

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: Platform;
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
  /** Foreign (non-distributable) layers live at these URLs, not in the registry. */
  readonly urls?: readonly string[];
}

interface Common {
  readonly mediaType: string;
  readonly subject?: Descriptor;
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

export type ParsedManifest =
  | (Common & { readonly kind: 'index'; readonly manifests: readonly Descriptor[] })
  | (Common & { readonly kind: 'image'; readonly config: Descriptor; readonly layers: readonly Descriptor[] })
  | (Common & { readonly kind: 'artifact'; readonly blobs: readonly Descriptor[] });

type Json = Record<string, unknown>;

function invalid(where: string, why: string): never {
  throw new UserError(`The manifest ${where} is not valid: ${why}.`);
}

function descriptor(value: unknown, where: string, field: string): Descriptor {
  if (typeof value !== 'object' || value === null) invalid(where, `${field} is not an object`);
  const d = value as Json;
  if (typeof d['mediaType'] !== 'string') invalid(where, `${field} has no mediaType`);
  if (typeof d['digest'] !== 'string' || digestProblem(d['digest'])) {
    invalid(where, `${field} has an invalid digest ${JSON.stringify(d['digest'])}`);
  }
  if (typeof d['size'] !== 'number' || !Number.isSafeInteger(d['size']) || d['size'] < 0) {
    invalid(where, `${field} has an invalid size ${JSON.stringify(d['size'])}`);
  }
  return d as unknown as Descriptor;
}

function descriptors(value: unknown, where: string, field: string): Descriptor[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) invalid(where, `${field} is not a list`);
  return value.map((d, i) => descriptor(d, where, `${field}[${i}]`));
}

/** The media type: the body's own field, else the Content-Type, else what the shape says. */
function mediaTypeOf(json: Json, contentType: string | undefined): string {
  const declared = typeof json['mediaType'] === 'string' ? json['mediaType'] : undefined;
  const header = bareMediaType(contentType);
  if (declared) return declared;
  if (isManifestType(header)) return header;
  if (Array.isArray(json['manifests'])) return OCI_INDEX;
  if (json['config'] !== undefined) return OCI_MANIFEST;
  if (Array.isArray(json['blobs'])) return OCI_ARTIFACT_MANIFEST;
  return header;
}

/** Parses manifest bytes; `where` names the image for error messages. */
export function parseManifest(body: Buffer, contentType: string | undefined, where = ''): ParsedManifest {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return invalid(where, 'it is not JSON');
  }
  return manifestFromJson(json, contentType, where);
}

/** A manifest from its parsed JSON (remoteAnswer's parseJsonAnswer reports bodies that are not JSON). */
export function manifestFromJson(
  value: unknown,
  contentType: string | undefined,
  where = '',
): ParsedManifest {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    invalid(where, 'it is not a JSON object');
  const json = value as Json;
  const mediaType = mediaTypeOf(json, contentType);
  if (mediaType === DOCKER_SCHEMA1 || mediaType === DOCKER_SCHEMA1_SIGNED || json['schemaVersion'] === 1) {
    throw new UserError(
      `The image ${where} uses Docker's deprecated schema 1 manifest, which cannot be copied with its digest; rebuild and push it with a current Docker or buildx.`,
    );
  }
  const common: Common = {
    mediaType,
    ...(json['subject'] !== undefined ? { subject: descriptor(json['subject'], where, 'subject') } : {}),
    ...(typeof json['artifactType'] === 'string' ? { artifactType: json['artifactType'] } : {}),
    ...(typeof json['annotations'] === 'object' && json['annotations'] !== null
      ? { annotations: json['annotations'] as Record<string, string> }
      : {}),
  };
  if (isIndexType(mediaType)) {
    return { ...common, kind: 'index', manifests: descriptors(json['manifests'], where, 'manifests') };
  }
  if (mediaType === OCI_MANIFEST || mediaType === DOCKER_MANIFEST) {
    return {
      ...common,
      kind: 'image',
      config: descriptor(json['config'], where, 'config'),
      layers: descriptors(json['layers'], where, 'layers'),
    };
  }
  if (mediaType === OCI_ARTIFACT_MANIFEST) {
    return { ...common, kind: 'artifact', blobs: descriptors(json['blobs'], where, 'blobs') };
  }
  throw new UserError(
    `The registry answered ${where} with media type "${mediaType || 'none'}", which is not an image manifest or index ` +
      `(${MANIFEST_TYPES.join(', ')}). Check that the reference names a container image and that no proxy replaces the registry's answers.`,
  );
}

/** True for layers Docker marks as not to be pushed (foreign Windows layers). */
export function isForeign(d: Descriptor): boolean {
  return (d.urls?.length ?? 0) > 0 && /foreign|nondistributable/.test(d.mediaType);
}

/** Blobs a manifest needs in its repository: config and layers (or artifact blobs). */
export function blobsOf(manifest: ParsedManifest): Descriptor[] {
  if (manifest.kind === 'image') return [manifest.config, ...manifest.layers].filter((d) => !isForeign(d));
  if (manifest.kind === 'artifact') return manifest.blobs.filter((d) => !isForeign(d));
  return [];
}

/** Manifests an index lists. */
export function childrenOf(manifest: ParsedManifest): readonly Descriptor[] {
  return manifest.kind === 'index' ? manifest.manifests : [];
}

/** `linux/arm64/v8`; undefined for attestation entries (`unknown/unknown`). */
export function platformName(platform: Platform | undefined): string | undefined {
  if (!platform || platform.os === 'unknown') return undefined;
  return [platform.os, platform.architecture, platform.variant].filter((p) => p).join('/');
}

/**
 * The digest of manifest bytes, checked against the digest asked for and the registry's
 * Docker-Content-Digest header. A header may legitimately differ for a tag (some registries
 * report another representation); asked for by digest, nothing may differ.
 */
export function verifiedManifestDigest(
  body: Buffer,
  check: { requested?: string; header?: string; where: string; onHeaderMismatch?: (message: string) => void },
): string {
  const computed = digestOf(body);
  if (check.requested) {
    const asked = digestOf(body, check.requested);
    if (asked !== check.requested) {
      throw new UserError(
        `The registry returned a manifest for ${check.where} whose content has digest ${asked}, not the requested ${check.requested}: the registry or a proxy altered it.`,
      );
    }
  }
  if (check.header && digestProblem(check.header) === undefined) {
    const comparable = digestOf(body, check.header);
    if (comparable !== check.header) {
      const message = `The registry's Docker-Content-Digest ${check.header} for ${check.where} differs from the digest of the bytes received (${comparable}).`;
      if (check.requested) throw new UserError(message);
      check.onHeaderMismatch?.(`${message} Using the digest of the bytes.`);
    }
  }
  return check.requested && !check.requested.startsWith('sha256:') ? check.requested : computed;
}
