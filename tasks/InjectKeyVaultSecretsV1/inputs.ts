import { inputs } from '../common/agent';
import { UserError } from '../common/errors';
import {
  MISSING_POLICIES,
  type MissingPolicy,
  validatePlaceholderSyntax,
  type RenderOptions,
  UNRESOLVED_POLICIES,
  type SecretSelection,
  parseSecretSelection,
  ENCODINGS,
  NAMING_STYLES,
  type NamingOptions,
} from '../common/keyvault';

/** InjectKeyVaultSecrets@1 inputs, read once and validated. */
export interface InjectKeyVaultSecretsInputs {
  readonly azureSubscription: string;
  readonly keyVaultName: string;
  readonly runAsPreJob: boolean;
  readonly selection: SecretSelection;
  readonly missingSecrets: MissingPolicy;
  readonly skipDisabledAndExpired: boolean;
  readonly setVariables: boolean;
  readonly naming: NamingOptions;
  readonly outputVariables: boolean;
  readonly targetFiles: readonly string[];
  readonly render: RenderOptions;
  readonly concurrency: number;
}

function variablePrefix(): string | undefined {
  const prefix = inputs.optional('variablePrefix');
  if (prefix !== undefined && !/^[A-Za-z0-9_.-]+$/.test(prefix)) {
    throw new UserError(
      `Input 'variablePrefix' may hold letters, digits, '.', '_' and '-' only; got '${prefix}'.`,
    );
  }
  return prefix;
}

export function readInputs(): InjectKeyVaultSecretsInputs {
  return {
    azureSubscription: inputs.requiredConnection('azureSubscription'),
    keyVaultName: inputs.required('keyVaultName'),
    runAsPreJob: inputs.boolean('runAsPreJob', false),
    selection: parseSecretSelection(inputs.lines('secrets')),
    missingSecrets: inputs.choice('missingSecrets', MISSING_POLICIES, 'fail'),
    skipDisabledAndExpired: inputs.boolean('skipDisabledAndExpired', true),
    setVariables: inputs.boolean('setVariables', true),
    naming: { style: inputs.choice('variableNames', NAMING_STYLES, 'asIs'), prefix: variablePrefix() },
    outputVariables: inputs.boolean('outputVariables', false),
    targetFiles: inputs.lines('targetFiles'),
    render: {
      ...validatePlaceholderSyntax({
        prefix: inputs.optional('tokenPrefix') ?? '#{',
        suffix: inputs.optional('tokenSuffix') ?? '}#',
      }),
      encoding: inputs.choice('encoding', ENCODINGS, 'auto'),
      unresolved: inputs.choice('unresolvedTokens', UNRESOLVED_POLICIES, 'fail'),
    },
    // 32 by default: above a list page's 25 secrets, so each page's values go out in one round trip
    // while the next page is listed; Key Vault allows 4,000 secret transactions per 10 s per vault
    // (service limits), so a vault under ~4,000 secrets is read in one burst without a 429, and a
    // larger one meets 429s whatever the concurrency (all held back at the throttle gate).
    concurrency: inputs.integer('concurrency', { min: 1, max: 64 }, 32),
  };
}
