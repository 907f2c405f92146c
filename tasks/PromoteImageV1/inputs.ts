import { defaultWorkingDirectory, inputs, parseKeyReference, type KeyReference } from '../common/agent';
import { UserError } from '../common/errors';
import {
  DOCKER_HUB,
  parseImageReference,
  validateDigest,
  validateTag,
  type ImageReference,
  type RepositoryLocation,
} from '../common/registry';
import { readSignatureGateInputs, type PendingSignatureGate, type SignatureGate } from '../common/signatures';

export const OVERWRITE = ['never', 'always'] as const;

/** One image to promote: where from, where to, under which tags. */
export interface Promotion {
  readonly source: ImageReference;
  readonly target: RepositoryLocation;
  /** The target tag first, then the additional tags; no duplicates. */
  readonly tags: readonly string[];
}

/** PromoteImage@1 inputs, read once and validated. */
export interface PromoteImageInputs {
  /** One per line of `sourceImage`, paired with the same line of `targetImage`. */
  readonly promotions: readonly Promotion[];
  readonly sourceConnection: string | undefined;
  readonly targetConnection: string | undefined;
  readonly azureSubscription: string | undefined;
  readonly expectedDigest: string | undefined;
  readonly lockFile: string | undefined;
  readonly overwrite: (typeof OVERWRITE)[number];
  readonly copyReferrers: boolean;
  /** Lock the promoted tags and manifest on ACR (writeEnabled false) once they are written. */
  readonly lockTarget: boolean;
  /** With lockTarget: deleteEnabled false as well, which stays when an admin re-enables writes. */
  readonly lockDelete: boolean;
  /** Attach the promotion record (an in-toto statement) to each promoted digest. */
  readonly recordPromotion: boolean;
  readonly insecureRegistries: readonly string[];
  readonly dryRun: boolean;
  /**
   * The signature gate's trust policy; undefined when `verifySignatures` is none; pending while
   * its cosign key is a Key Vault key still to be read (completeSignatureGate).
   */
  readonly signatureGate: SignatureGate | PendingSignatureGate | undefined;
  /** The Key Vault key the promotion record is signed with (`signingKey`), read through azureSubscription. */
  readonly signingKey: KeyReference | undefined;
}

/** `signingKey`: an `azurekms://` reference, which needs the Azure connection to be read. */
function readSigningKey(azureSubscription: string | undefined): KeyReference | undefined {
  const text = inputs.optional('signingKey');
  if (text === undefined) return undefined;
  const ref = parseKeyReference(text, 'signingKey');
  if (azureSubscription === undefined) {
    throw new UserError(
      `Input 'signingKey' names a Key Vault key (${ref.text}): set 'azureSubscription' to the Azure Resource Manager ` +
        'service connection whose identity may use it (keys/get and keys/sign, or the Key Vault Crypto User role).',
    );
  }
  return ref;
}

/** `targetRegistry` (the classic editor's registry picker): a login server, `host[:port]`. */
function readTargetRegistry(): string | undefined {
  const text = inputs.optional('targetRegistry');
  if (text === undefined) return undefined;
  const host = text.replace(/^(https?|oci):\/\//, '').replace(/\/+$/, '');
  let parsed: ImageReference | undefined;
  try {
    parsed = parseImageReference(`${host}/x`);
  } catch {
    parsed = undefined;
  }
  if (parsed?.registry !== host || host === DOCKER_HUB) {
    throw new UserError(
      `Input 'targetRegistry' (${text}) must be a registry login server such as fabrikam.azurecr.io or host:port.`,
    );
  }
  return host;
}

/** Whether a reference names its registry host (Docker's rule: else it means Docker Hub). */
const namesHost = (text: string, ref: ImageReference): boolean =>
  ref.registry !== DOCKER_HUB || /^(index\.)?docker\.io\//.test(text);

/**
 * A `targetImage` line with `targetRegistry` set: a line without a host gets that host; a line
 * naming another host is a contradiction.
 */
function onTargetRegistry(text: string, ref: ImageReference, registry: string): ImageReference {
  if (!namesHost(text, ref)) return parseImageReference(`${registry}/${text}`);
  if (ref.registry !== registry) {
    throw new UserError(
      `${text} names registry ${ref.registry} but input 'targetRegistry' is ${registry}: write the image as repository:tag, or make both name the same registry.`,
    );
  }
  return ref;
}

function imageLines(name: string, registry?: string): ImageReference[] {
  const lines = inputs.lines(name);
  if (lines.length === 0) throw new UserError(`Input '${name}' is required but was empty.`);
  return lines.map((text, i) => {
    try {
      const ref = parseImageReference(text);
      return registry === undefined ? ref : onTargetRegistry(text.trim(), ref, registry);
    } catch (err) {
      const where = lines.length > 1 ? ` line ${i + 1}` : '';
      throw new UserError(`Input '${name}'${where}: ${(err as Error).message}`);
    }
  });
}

function targetTags(source: ImageReference, target: ImageReference, extra: readonly string[]): string[] {
  if (target.digest) {
    throw new UserError(
      `Input 'targetImage' must not carry a digest (${target.toString()}): the digest is the source's; name a tag.`,
    );
  }
  const tag = target.tag ?? source.tag;
  if (!tag) {
    throw new UserError(
      `Input 'targetImage' needs a tag when 'sourceImage' is given by digest only (${source.toString()}).`,
    );
  }
  return [...new Set([tag, ...extra])];
}

function promotions(): Promotion[] {
  const sources = imageLines('sourceImage');
  const targets = imageLines('targetImage', readTargetRegistry());
  if (sources.length !== targets.length) {
    throw new UserError(
      `Inputs 'sourceImage' and 'targetImage' pair line by line: ${sources.length} source(s) but ${targets.length} target(s).`,
    );
  }
  const extra = inputs.lines('additionalTags').map((t) => validateTag(t, "input 'additionalTags'"));
  const list = sources.map((source, i) => {
    const target = targets[i] as ImageReference;
    return {
      source,
      target: { registry: target.registry, repository: target.repository },
      tags: targetTags(source, target, extra),
    };
  });
  const seen = new Set<string>();
  for (const p of list) {
    for (const tag of p.tags) {
      const key = `${p.target.registry}/${p.target.repository}:${tag}`;
      if (seen.has(key))
        throw new UserError(`Input 'targetImage' names ${key} twice; each target tag can hold one image.`);
      seen.add(key);
    }
  }
  return list;
}

export function readInputs(): PromoteImageInputs {
  const list = promotions();
  const expected = inputs.optional('expectedDigest');
  const lockFile = inputs.filePath('lockFile');
  if (expected && lockFile) {
    throw new UserError(
      `Inputs 'expectedDigest' and 'lockFile' both name the digest to promote; give one of them.`,
    );
  }
  if (expected && list.length > 1) {
    throw new UserError(
      `Input 'expectedDigest' names one digest but 'sourceImage' lists ${list.length} images: use 'lockFile' for several.`,
    );
  }
  const azureSubscription = inputs.connection('azureSubscription');
  return {
    promotions: list,
    sourceConnection: inputs.connection('sourceConnection'),
    targetConnection: inputs.connection('targetConnection'),
    azureSubscription,
    expectedDigest: expected ? validateDigest(expected, "input 'expectedDigest'") : undefined,
    lockFile,
    overwrite: inputs.choice('overwrite', OVERWRITE, 'never'),
    copyReferrers: inputs.boolean('copyReferrers', true),
    lockTarget: inputs.boolean('lockTarget', false),
    lockDelete: inputs.boolean('lockDelete', true),
    recordPromotion: inputs.boolean('recordPromotion', true),
    insecureRegistries: inputs.lines('insecureRegistries'),
    dryRun: inputs.boolean('dryRun', false),
    signatureGate: readSignatureGateInputs(inputs, defaultWorkingDirectory()),
    signingKey: readSigningKey(azureSubscription),
  };
}
