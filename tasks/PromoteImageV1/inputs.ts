import { inputs } from '../common/agent/inputs';

export const OVERWRITE = ['never', 'always'] as const;

/** PromoteImage@1 inputs, read once and validated. */
export interface PromoteImageInputs {
  readonly sourceImage: string;
  readonly targetImage: string;
  readonly additionalTags: readonly string[];
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

export function readInputs(): PromoteImageInputs {
  return {
    sourceImage: inputs.required('sourceImage'),
    targetImage: inputs.required('targetImage'),
    additionalTags: inputs.lines('additionalTags'),
    sourceConnection: inputs.optional('sourceConnection'),
    targetConnection: inputs.optional('targetConnection'),
    azureSubscription: inputs.optional('azureSubscription'),
    expectedDigest: inputs.optional('expectedDigest'),
    lockFile: inputs.optional('lockFile'),
    overwrite: inputs.choice('overwrite', OVERWRITE, 'never'),
    copyReferrers: inputs.boolean('copyReferrers', true),
    insecureRegistries: inputs.lines('insecureRegistries'),
    dryRun: inputs.boolean('dryRun', false),
  };
}
