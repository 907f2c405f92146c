import path from 'node:path';
import { inputs, agentVariable } from '../common/agent';
import { UserError } from '../common/errors';
import {
  checkExtraArguments,
  helmDuration,
  splitArguments,
  defaultChangeCause,
  normalizeChangeCause,
  chartSource,
  type ChartSource,
  type UserPostRenderer,
  validateReleaseName,
  SERVER_SIDE_CHOICES,
  type ServerSideOptions,
  parseValueLines,
  parseOverrideValues,
  valuesTree,
  VALUE_TYPINGS,
  type ValueAssignment,
} from '../common/helm';
import { readSignatureGateInputs, type PendingSignatureGate, type SignatureGate } from '../common/signatures';

export const CONNECTION_TYPES = [
  'kubernetesServiceConnection',
  'azureResourceManager',
  'kubeconfig',
] as const;
export const ACTIONS = ['upgrade', 'rollback', 'uninstall', 'diff'] as const;
/** `pinned`: every image of the rendered chart names a digest; `signed`: and is signed under the trust policy. */
export const VERIFY_IMAGES = ['none', 'pinned', 'signed'] as const;
export type VerifyImages = (typeof VERIFY_IMAGES)[number];

/**
 * What the upgrade checks before deploying: undefined for `none`; the gate is set exactly for
 * `signed`. As read, a gate whose cosign key is a Key Vault key is still pending (`G`): the task
 * reads the key through `registryAzureSubscription` before Helm runs.
 */
export interface ImageVerification<G = SignatureGate> {
  readonly level: Exclude<VerifyImages, 'none'>;
  readonly gate: G | undefined;
}

export type ClusterInput =
  | { readonly type: 'kubernetesServiceConnection'; readonly connection: string }
  | {
      readonly type: 'azureResourceManager';
      readonly azureSubscription: string;
      readonly resourceGroup: string;
      readonly cluster: string;
      readonly useClusterAdmin: boolean;
    }
  | { readonly type: 'kubeconfig'; readonly file: string };

/** DeployHelmChart@1 inputs (and the run facts the change cause is made of), read once and validated. */
export interface DeployHelmChartInputs {
  readonly cluster: ClusterInput;
  readonly action: (typeof ACTIONS)[number];
  readonly chart: ChartSource | undefined;
  readonly chartVersion: string | undefined;
  readonly registryConnection: string | undefined;
  readonly registryAzureSubscription: string | undefined;
  /** Run `helm dependency update` for a chart folder first. */
  readonly dependencyUpdate: boolean;
  readonly releaseName: string;
  readonly namespace: string | undefined;
  readonly createNamespace: boolean;
  readonly valueFiles: readonly string[];
  readonly values: readonly ValueAssignment[];
  readonly changeCause: string;
  readonly revision: number | undefined;
  readonly atomic: boolean;
  readonly wait: boolean;
  readonly timeout: string;
  readonly historyMax: number;
  readonly extraArgs: readonly string[];
  readonly userPostRenderer: UserPostRenderer | undefined;
  readonly serverSide: ServerSideOptions;
  readonly verifyImages: ImageVerification<SignatureGate | PendingSignatureGate> | undefined;
  readonly insecureRegistries: readonly string[];
  readonly helmPath: string | undefined;
  readonly tempDirectory: string | undefined;
}

/** HelmDeploy@1's values of its `connectionType` input, which has the same name. */
const HELM_DEPLOY_CONNECTION_TYPES = {
  'Azure Resource Manager': 'azureResourceManager',
  'Kubernetes Service Connection': 'kubernetesServiceConnection',
} as const;

/** HelmDeploy@1's `command` (alias of `action`): Helm 2's `delete` is Helm 3's `uninstall`. */
const HELM_DEPLOY_COMMANDS = { delete: 'uninstall' } as const;

function readConnectionType(): ClusterInput['type'] {
  const type = inputs.choice(
    'connectionType',
    CONNECTION_TYPES,
    'kubernetesServiceConnection',
    HELM_DEPLOY_CONNECTION_TYPES,
  );
  // HelmDeploy@1 YAML without connectionType means Azure Resource Manager there: with only an
  // Azure subscription given, the default type could not work and that one can.
  const armOnly =
    inputs.optional('kubernetesServiceConnection') === undefined &&
    inputs.optional('azureSubscription') !== undefined;
  return type === 'kubernetesServiceConnection' && armOnly ? 'azureResourceManager' : type;
}

function readCluster(): ClusterInput {
  const type = readConnectionType();
  switch (type) {
    case 'kubernetesServiceConnection':
      return { type, connection: inputs.requiredConnection('kubernetesServiceConnection') };
    case 'azureResourceManager':
      return {
        type,
        azureSubscription: inputs.requiredConnection('azureSubscription'),
        resourceGroup: inputs.required('azureResourceGroup'),
        cluster: inputs.required('kubernetesCluster'),
        useClusterAdmin: inputs.boolean('useClusterAdmin', false),
      };
    case 'kubeconfig': {
      const file = inputs.filePath('kubeconfig');
      if (!file)
        throw new UserError(
          "Input 'kubeconfig' is required when 'connectionType' is kubeconfig: the kubeconfig file's path.",
        );
      return { type, file: path.resolve(file) };
    }
  }
}

function readChangeCause(): string {
  const given = inputs.optional('changeCause');
  if (given) return normalizeChangeCause(given);
  const variable = (name: string) => agentVariable(name) || undefined;
  return normalizeChangeCause(
    defaultChangeCause({
      definitionName: variable('Build.DefinitionName'),
      buildNumber: variable('Build.BuildNumber'),
      commitMessage: variable('Build.SourceVersionMessage'),
      commit: variable('Build.SourceVersion'),
      requestedFor: variable('Build.RequestedFor'),
    }),
  );
}

/** Read without the debug echo: a user may have written credentials into the URL (refused, never printed). */
function repositoryUrl(): string | undefined {
  return inputs.silent('repositoryUrl').trim() || undefined;
}

/**
 * `values` lines, then HelmDeploy@1's `overrideValues` (its own input: the service resolves an alias
 * before the task runs, and there `a=1,b=2` is two assignments). Both read without the debug echo:
 * values may hold secrets. Only the keys are ever logged.
 */
function readValues(): ValueAssignment[] {
  const all = [
    ...parseValueLines(inputs.silent('values'), inputs.choice('valueTypes', VALUE_TYPINGS, 'set')),
    ...parseOverrideValues(inputs.silent('overrideValues')),
  ];
  valuesTree(all);
  return all;
}

function readRevision(): number | undefined {
  const text = inputs.optional('revision');
  if (text === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(text))
    throw new UserError(`Input 'revision' (${text}) must be a revision number such as 3.`);
  return Number(text);
}

/** `verifyImages` and the trust-policy inputs PromoteImage@1 shares (read by the same code). */
function readImageVerification(
  action: string,
  sources: string,
): ImageVerification<SignatureGate | PendingSignatureGate> | undefined {
  const level = inputs.choice('verifyImages', VERIFY_IMAGES, 'none');
  // Refused before any trust-policy file is read.
  if (level !== 'none' && action !== 'upgrade') {
    throw new UserError(
      `Input 'verifyImages' applies to the upgrade action (action is ${action}): set it to none.`,
    );
  }
  // Read here only when it is not going to be read as the trust policy below.
  const policy = level === 'signed' ? undefined : inputs.optional('verifySignatures');
  if (policy !== undefined && policy !== 'none') {
    throw new UserError(
      `Input 'verifySignatures' (${policy}) applies when 'verifyImages' is signed (it is ${level}): set 'verifyImages' to signed, or 'verifySignatures' to none.`,
    );
  }
  const gate = level === 'signed' ? readSignatureGateInputs(inputs, sources) : undefined;
  if (level === 'signed' && !gate) {
    throw new UserError(
      "Input 'verifyImages' is signed: set 'verifySignatures' to the trust policy the images must be signed under (cosignKey, cosignKeyless or notation).",
    );
  }
  return level === 'none' ? undefined : { level, gate };
}

export function readInputs(): DeployHelmChartInputs {
  const action = inputs.choice('action', ACTIONS, 'upgrade', HELM_DEPLOY_COMMANDS);
  const sources = agentVariable('Build.SourcesDirectory') ?? process.cwd();
  const chartText = inputs.optional('chart');
  const renders = action === 'upgrade' || action === 'diff';
  if (renders && !chartText) throw new UserError(`Input 'chart' is required for the ${action} action.`);
  const postRenderer = inputs.filePath('postRenderer');
  return {
    cluster: readCluster(),
    action,
    chart: renders && chartText ? chartSource(chartText, repositoryUrl(), sources) : undefined,
    chartVersion: inputs.optional('chartVersion'),
    registryConnection: inputs.connection('registryConnection'),
    registryAzureSubscription: inputs.connection('registryAzureSubscription'),
    dependencyUpdate: inputs.boolean('dependencyUpdate', false),
    releaseName: validateReleaseName(inputs.required('releaseName')),
    namespace: inputs.optional('namespace'),
    createNamespace: inputs.boolean('createNamespace', true),
    valueFiles: inputs.lines('valueFiles').map((f) => path.resolve(sources, f)),
    values: readValues(),
    changeCause: readChangeCause(),
    revision: readRevision(),
    atomic: inputs.boolean('atomic', true),
    wait: inputs.boolean('wait', true),
    timeout: helmDuration(inputs.optional('timeout') ?? '5m'),
    historyMax: inputs.integer('historyMax', { min: 0, max: 10_000 }, 10),
    extraArgs: checkExtraArguments(splitArguments(inputs.optional('arguments') ?? '')),
    userPostRenderer: postRenderer
      ? { path: path.resolve(postRenderer), args: inputs.lines('postRendererArgs') }
      : undefined,
    serverSide: {
      apply: inputs.choice('serverSideApply', SERVER_SIDE_CHOICES, 'auto'),
      forceConflicts: inputs.boolean('forceConflicts', false),
    },
    verifyImages: readImageVerification(action, sources),
    insecureRegistries: inputs.lines('insecureRegistries'),
    helmPath: inputs.filePath('helmPath'),
    tempDirectory: agentVariable('Agent.TempDirectory'),
  };
}
