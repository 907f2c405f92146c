// Shared pieces of the DeployHelmChart@1 tests: Kubernetes service connections of each
// authorization type as the agent hands them over, and a runner for the packaged task.
import { disposeTaskRuns, runTask, type EndpointSpec, type TaskRun } from '../../support/taskRunner';

export { disposeTaskRuns };

export const K8S_CONNECTION = '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d';
export const REGISTRY_CONNECTION = '1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9';

/** What a cluster gives a test: its URL, CA, token and a kubeconfig. */
export interface ClusterUnderTest {
  readonly url: string;
  readonly caPem: string;
  readonly token: string;
  kubeconfig(): string;
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** A Kubernetes service connection of the given authorization type, as the agent passes it. */
export function kubernetesEndpoint(
  cluster: ClusterUnderTest,
  type: 'Kubeconfig' | 'ServiceAccount' | 'AzureSubscription',
  data: Record<string, string> = {},
): EndpointSpec {
  if (type === 'Kubeconfig') {
    return {
      url: cluster.url,
      scheme: 'Kubernetes',
      parameters: { kubeconfig: cluster.kubeconfig() },
      data: { authorizationType: type, ...data },
    };
  }
  return {
    url: cluster.url,
    scheme: 'Token',
    parameters: { apiToken: b64(cluster.token), serviceAccountCertificate: b64(cluster.caPem) },
    data: { authorizationType: type, ...data },
  };
}

/** Pipeline variables the default change cause is made of. */
export const RUN_VARIABLES = {
  'Build.DefinitionName': 'shop-ci',
  'Build.BuildNumber': '20260102.7',
  'Build.SourceVersionMessage': 'Retry payments on 503\n\nLonger description',
  'Build.SourceVersion': '4be1c7d09a8f2e3b5c6d7e8f9a0b1c2d3e4f5a6b',
  'Build.RequestedFor': 'Ana Silva',
};

export const DEFAULT_CAUSE = 'shop-ci 20260102.7: Retry payments on 503 (4be1c7d) by Ana Silva';

export interface DeployRun {
  readonly helmBin: string;
  readonly inputs: Record<string, string>;
  readonly endpoints?: Record<string, EndpointSpec>;
  readonly variables?: Record<string, string>;
  readonly secretVariables?: Record<string, string>;
  readonly secrets?: string[];
  readonly timeoutMs?: number;
  readonly env?: Record<string, string>;
}

/** Runs the packaged DeployHelmChartV1 with System.Debug on (the runner fails on a printed secret). */
export function deploy(run: DeployRun): Promise<TaskRun> {
  return runTask({
    task: { shipped: 'DeployHelmChartV1' },
    inputs: { helmPath: run.helmBin, ...run.inputs },
    endpoints: run.endpoints ?? {},
    variables: { ...RUN_VARIABLES, ...run.variables },
    secretVariables: run.secretVariables ?? {},
    secrets: run.secrets ?? [],
    debug: true,
    timeoutMs: run.timeoutMs ?? 90_000,
    ...(run.env ? { env: run.env } : {}),
  });
}

export function assertSucceeded(run: TaskRun): void {
  if (run.agentResult !== 'Succeeded') {
    throw new Error(`task failed: ${run.message ?? ''}\n${run.stdout.split('\n').slice(-60).join('\n')}`);
  }
}

type Annotated = { metadata?: { annotations?: Record<string, string> } } | undefined;

export const changeCauseOf = (object: unknown): string | undefined =>
  (object as Annotated)?.metadata?.annotations?.['kubernetes.io/change-cause'];
