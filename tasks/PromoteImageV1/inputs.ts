import { inputs } from '../common/agent/inputs';
import { UserError } from '../common/errors';
import { validateDigest } from '../common/registry/digest';
import { parseImageReference, validateTag, type ImageReference } from '../common/registry/reference';

export const OVERWRITE = ['never', 'always'] as const;

/** PromoteImage@1 inputs, read once and validated. */
export interface PromoteImageInputs {
  readonly source: ImageReference;
  readonly target: { readonly registry: string; readonly repository: string };
  /** The target tag first, then the additional tags; no duplicates. */
  readonly tags: readonly string[];
  readonly sourceConnection: string | undefined;
  readonly targetConnection: string | undefined;
  readonly azureSubscription: string | undefined;
  readonly expectedDigest: string | undefined;
  readonly lockFile: string | undefined;
  readonly overwrite: (typeof OVERWRITE)[number];
  readonly copyReferrers: boolean;
  readonly insecureRegistries: readonly string[];
  readonly dryRun: boolean;
}

function imageInput(name: string): ImageReference {
  const text = inputs.required(name);
  try {
    return parseImageReference(text);
  } catch (err) {
    throw new UserError(`Input '${name}': ${(err as Error).message}`);
  }
}

function targetTags(source: ImageReference, target: ImageReference): string[] {
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
  const extra = inputs.lines('additionalTags').map((t) => validateTag(t, "input 'additionalTags'"));
  return [...new Set([tag, ...extra])];
}

export function readInputs(): PromoteImageInputs {
  const source = imageInput('sourceImage');
  const target = imageInput('targetImage');
  const expected = inputs.optional('expectedDigest');
  const lockFile = inputs.filePath('lockFile');
  if (expected && lockFile) {
    throw new UserError(
      `Inputs 'expectedDigest' and 'lockFile' both name the digest to promote; give one of them.`,
    );
  }
  return {
    source,
    target: { registry: target.registry, repository: target.repository },
    tags: targetTags(source, target),
    sourceConnection: inputs.optional('sourceConnection'),
    targetConnection: inputs.optional('targetConnection'),
    azureSubscription: inputs.optional('azureSubscription'),
    expectedDigest: expected ? validateDigest(expected, "input 'expectedDigest'") : undefined,
    lockFile,
    overwrite: inputs.choice('overwrite', OVERWRITE, 'never'),
    copyReferrers: inputs.boolean('copyReferrers', true),
    insecureRegistries: inputs.lines('insecureRegistries'),
    dryRun: inputs.boolean('dryRun', false),
  };
}
