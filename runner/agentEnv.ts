// The environment the Azure Pipelines agent hands a task (agent Handler.cs and TaskRunner.cs,
// read by task-lib's internal.ts): typed names, the default job variables, and the builder that
// turns a test's inputs, variables and service connections into that environment.
import path from 'node:path';
import type { TaskDefinition } from './vsix';

/** The agent version the runner pretends to be: the minimum for the Node20_1 handler. */
export const AGENT_VERSION = '3.232.1';

/** The connection every task receives without referencing it (its env key is upper-cased). */
export const SYSTEM_VSS_CONNECTION = 'SystemVssConnection';

/** Well-known pipeline variables, by their pipeline names. */
export const Var = {
  AgentBuildDirectory: 'Agent.BuildDirectory',
  AgentHomeDirectory: 'Agent.HomeDirectory',
  AgentId: 'Agent.Id',
  AgentJobName: 'Agent.JobName',
  AgentJobStatus: 'Agent.JobStatus',
  AgentMachineName: 'Agent.MachineName',
  AgentName: 'Agent.Name',
  AgentOS: 'Agent.OS',
  AgentOSArchitecture: 'Agent.OSArchitecture',
  AgentRootDirectory: 'Agent.RootDirectory',
  AgentTempDirectory: 'Agent.TempDirectory',
  AgentToolsDirectory: 'Agent.ToolsDirectory',
  AgentVersion: 'Agent.Version',
  AgentWorkFolder: 'Agent.WorkFolder',
  BuildArtifactStagingDirectory: 'Build.ArtifactStagingDirectory',
  BuildBinariesDirectory: 'Build.BinariesDirectory',
  BuildBuildId: 'Build.BuildId',
  BuildBuildNumber: 'Build.BuildNumber',
  BuildDefinitionName: 'Build.DefinitionName',
  BuildReason: 'Build.Reason',
  BuildRepositoryLocalPath: 'Build.Repository.LocalPath',
  BuildRepositoryName: 'Build.Repository.Name',
  BuildRepositoryProvider: 'Build.Repository.Provider',
  BuildSourceBranch: 'Build.SourceBranch',
  BuildSourceBranchName: 'Build.SourceBranchName',
  BuildSourceVersion: 'Build.SourceVersion',
  BuildSourcesDirectory: 'Build.SourcesDirectory',
  BuildStagingDirectory: 'Build.StagingDirectory',
  CommonTestResultsDirectory: 'Common.TestResultsDirectory',
  PipelineWorkspace: 'Pipeline.Workspace',
  SystemArtifactsDirectory: 'System.ArtifactsDirectory',
  SystemCollectionUri: 'System.CollectionUri',
  SystemDebug: 'System.Debug',
  SystemDefaultWorkingDirectory: 'System.DefaultWorkingDirectory',
  SystemDefinitionId: 'System.DefinitionId',
  SystemHostType: 'System.HostType',
  SystemJobId: 'System.JobId',
  SystemPlanId: 'System.PlanId',
  SystemTeamFoundationCollectionUri: 'System.TeamFoundationCollectionUri',
  SystemTeamProject: 'System.TeamProject',
  SystemTeamProjectId: 'System.TeamProjectId',
  SystemTimelineId: 'System.TimelineId',
} as const;

/** The agent's VarUtil.ConvertToEnvVariableFormat: '.' and ' ' become '_', then upper case. */
export function envFormat(name: string): string {
  return name.replace(/[. ]/g, '_').toUpperCase();
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/**
 * The part of ENDPOINT_* names that identifies a connection: the GUID in lower case (.NET
 * Guid.ToString()), or SYSTEMVSSCONNECTION. task-lib reads ENDPOINT_URL_ and ENDPOINT_DATA_ from
 * process.env as given, so a task looking up an upper-case GUID finds nothing, as on a real agent.
 */
export function endpointKey(id: string): string {
  if (id.toLowerCase() === SYSTEM_VSS_CONNECTION.toLowerCase()) return SYSTEM_VSS_CONNECTION.toUpperCase();
  if (!isGuid(id)) throw new Error(`endpoint id '${id}' is not a GUID (nor ${SYSTEM_VSS_CONNECTION})`);
  return id.toLowerCase();
}

/** Environment variable names of the agent protocol. */
export const EnvName = {
  input: (name: string) => `INPUT_${envFormat(name)}`,
  variable: (name: string) => envFormat(name),
  secretVariable: (name: string) => `SECRET_${envFormat(name)}`,
  publicVariableNames: 'VSTS_PUBLIC_VARIABLES',
  secretVariableNames: 'VSTS_SECRET_VARIABLES',
  endpointUrl: (key: string) => `ENDPOINT_URL_${key}`,
  endpointAuth: (key: string) => `ENDPOINT_AUTH_${key}`,
  endpointAuthScheme: (key: string) => `ENDPOINT_AUTH_SCHEME_${key}`,
  endpointAuthParameter: (key: string, parameter: string) =>
    `ENDPOINT_AUTH_PARAMETER_${key}_${envFormat(parameter)}`,
  endpointData: (key: string) => `ENDPOINT_DATA_${key}`,
  endpointDataParameter: (key: string, dataKey: string) => `ENDPOINT_DATA_${key}_${envFormat(dataKey)}`,
  /** Set by the agent for every step. */
  tfBuild: 'TF_BUILD',
} as const;

/**
 * Endpoint authorization parameters that identify rather than authenticate (compared in lower
 * case). Every other parameter is treated as a secret by the leak check.
 */
export const NON_SECRET_AUTH_PARAMETERS: ReadonlySet<string> = new Set([
  'username',
  'serviceprincipalid',
  'tenantid',
  'authenticationtype',
  'scope',
  'registry',
  'loginserver',
  'clientid',
  'clustercontext',
  'acceptuntrustedcerts',
  'workloadidentityfederationissuer',
  'workloadidentityfederationsubject',
]);

/** The folders of one run, laid out like an agent's work folder (_work/_temp, _work/1/s ...). */
export interface AgentDirs {
  root: string;
  home: string;
  agentHome: string;
  work: string;
  temp: string;
  tools: string;
  build: string;
  sources: string;
  artifactStaging: string;
  binaries: string;
  testResults: string;
}

export function agentDirs(root: string): AgentDirs {
  const work = path.join(root, 'work');
  const build = path.join(work, '1');
  return {
    root,
    home: path.join(root, 'home'),
    agentHome: path.join(root, 'agent'),
    work,
    temp: path.join(work, '_temp'),
    tools: path.join(work, '_tool'),
    build,
    sources: path.join(build, 's'),
    artifactStaging: path.join(build, 'a'),
    binaries: path.join(build, 'b'),
    testResults: path.join(build, 'TestResults'),
  };
}

/** The variables an agent defines for a build job, pointing into `dirs`. */
export function defaultVariables(dirs: AgentDirs): Record<string, string> {
  return {
    [Var.AgentBuildDirectory]: dirs.build,
    [Var.AgentHomeDirectory]: dirs.agentHome,
    [Var.AgentId]: '1',
    [Var.AgentJobName]: 'Job',
    [Var.AgentJobStatus]: 'Succeeded',
    [Var.AgentMachineName]: 'release-guard-test-machine',
    [Var.AgentName]: 'release-guard-test-agent',
    [Var.AgentOS]:
      process.platform === 'win32' ? 'Windows_NT' : process.platform === 'darwin' ? 'Darwin' : 'Linux',
    [Var.AgentOSArchitecture]: process.arch === 'arm64' ? 'ARM64' : 'X64',
    [Var.AgentRootDirectory]: dirs.work,
    [Var.AgentTempDirectory]: dirs.temp,
    [Var.AgentToolsDirectory]: dirs.tools,
    [Var.AgentVersion]: AGENT_VERSION,
    [Var.AgentWorkFolder]: dirs.work,
    [Var.BuildArtifactStagingDirectory]: dirs.artifactStaging,
    [Var.BuildBinariesDirectory]: dirs.binaries,
    [Var.BuildBuildId]: '42',
    [Var.BuildBuildNumber]: '20260101.1',
    [Var.BuildDefinitionName]: 'release-guard-ci',
    [Var.BuildReason]: 'Manual',
    [Var.BuildRepositoryLocalPath]: dirs.sources,
    [Var.BuildRepositoryName]: 'release-guard',
    [Var.BuildRepositoryProvider]: 'TfsGit',
    [Var.BuildSourceBranch]: 'refs/heads/main',
    [Var.BuildSourceBranchName]: 'main',
    [Var.BuildSourceVersion]: '0123456789abcdef0123456789abcdef01234567',
    [Var.BuildSourcesDirectory]: dirs.sources,
    [Var.BuildStagingDirectory]: dirs.artifactStaging,
    [Var.CommonTestResultsDirectory]: dirs.testResults,
    [Var.PipelineWorkspace]: dirs.build,
    [Var.SystemArtifactsDirectory]: dirs.artifactStaging,
    [Var.SystemCollectionUri]: 'https://dev.azure.com/release-guard-tests/',
    [Var.SystemDefaultWorkingDirectory]: dirs.sources,
    [Var.SystemDefinitionId]: '7',
    [Var.SystemHostType]: 'build',
    [Var.SystemJobId]: '5a0b8c1e-2d3f-4a5b-8c6d-7e8f9a0b1c2d',
    [Var.SystemPlanId]: '1f2e3d4c-5b6a-4789-8a9b-0c1d2e3f4a5b',
    [Var.SystemTeamFoundationCollectionUri]: 'https://dev.azure.com/release-guard-tests/',
    [Var.SystemTeamProject]: 'ReleaseGuard',
    [Var.SystemTeamProjectId]: '9c8b7a6f-5e4d-4c3b-9a2f-1e0d9c8b7a6f',
    [Var.SystemTimelineId]: '3e4f5a6b-7c8d-4e9f-8a0b-1c2d3e4f5a6b',
  };
}

/** A service connection as the agent receives it. */
export interface EndpointSpec {
  url?: string;
  scheme: string;
  parameters: Record<string, string>;
  data?: Record<string, string>;
}

/** What a test says about a run; see TaskRunOptions for each field. */
export interface AgentEnvironmentSpec {
  inputs?: Record<string, string>;
  endpoints?: Record<string, EndpointSpec>;
  variables?: Record<string, string>;
  secretVariables?: Record<string, string>;
  debug?: boolean;
}

export interface AgentEnvironment {
  /** The protocol's variables only: the runner adds PATH, HOME and the test's extras. */
  env: Record<string, string>;
  /** Input values as the task receives them, by declared name. */
  inputs: Map<string, string>;
  /** A variable's value (public or secret) by pipeline name. */
  variable(name: string): string | undefined;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/** Levenshtein distance, case-insensitive. */
function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let row = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const next = [i];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      next.push(Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + cost));
    }
    row = next;
  }
  return row[y.length] ?? 0;
}

/** The candidate closest to `name`, when it is close enough to be a likely typo. */
export function nearestName(name: string, candidates: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (!best || distance < best.distance) best = { name: candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(name.length / 3)) ? best.name : undefined;
}

/** The agent's input handling: declared defaults, trimmed values, $(var) macros, rooted file paths. */
function resolveInputs(
  def: TaskDefinition,
  given: Record<string, string>,
  variable: (n: string) => string | undefined,
) {
  const declared = def.inputs ?? [];
  const canonical = new Map<string, string>();
  declared.forEach((i) =>
    [i.name, ...(i.aliases ?? [])].forEach((n) => canonical.set(n.toLowerCase(), i.name)),
  );
  const values = new Map(declared.map((i) => [i.name, String(i.defaultValue ?? '').trim()]));
  for (const [name, value] of Object.entries(given)) {
    const declaredName = canonical.get(name.toLowerCase());
    if (declaredName === undefined) {
      const names = declared.map((i) => i.name);
      const near = nearestName(name, names);
      const hint = near !== undefined ? `; did you mean '${near}'?` : '';
      throw new Error(
        `input '${name}' is not declared in ${def.name}'s task.json${hint} (${names.join(', ')})`,
      );
    }
    values.set(declaredName, value.trim());
  }
  const sources = variable(Var.BuildSourcesDirectory) ?? '';
  for (const input of declared) {
    let value = (values.get(input.name) ?? '').replace(/\$\(([^()]+)\)/g, (m, v: string) => variable(v) ?? m);
    if (input.type === 'filePath') value = path.resolve(sources, value); // empty -> the sources folder
    values.set(input.name, value);
  }
  return values;
}

/** ENDPOINT_* variables of the connections the task's connectedService inputs reference. */
function endpointEnv(
  def: TaskDefinition,
  inputs: Map<string, string>,
  endpoints: Record<string, EndpointSpec>,
) {
  const referenced = new Set(
    (def.inputs ?? [])
      .filter((i) => i.type.toLowerCase().startsWith('connectedservice:'))
      .flatMap((i) => (inputs.get(i.name) ?? '').split(',').map((id) => id.trim().toLowerCase())),
  );
  const env: Record<string, string> = {};
  for (const [id, spec] of Object.entries(endpoints)) {
    const key = endpointKey(id);
    if (key !== SYSTEM_VSS_CONNECTION.toUpperCase() && !referenced.has(key)) {
      throw new Error(
        `endpoint ${id} is not referenced by a connectedService input of ${def.name}: the agent would not pass it`,
      );
    }
    let url = spec.url ?? '';
    if (URL.canParse(url)) url = new URL(url).href; // like .NET Uri.ToString(): https://host -> https://host/
    env[EnvName.endpointUrl(key)] = url;
    env[EnvName.endpointAuth(key)] = JSON.stringify({ parameters: spec.parameters, scheme: spec.scheme });
    env[EnvName.endpointAuthScheme(key)] = spec.scheme;
    for (const [k, v] of Object.entries(spec.parameters)) env[EnvName.endpointAuthParameter(key, k)] = v;
    if (isGuid(key)) {
      env[EnvName.endpointData(key)] = JSON.stringify(spec.data ?? {});
      for (const [k, v] of Object.entries(spec.data ?? {})) env[EnvName.endpointDataParameter(key, k)] = v;
    }
  }
  return env;
}

/** The environment the agent would build for this task and job. */
export function agentEnvironment(
  def: TaskDefinition,
  spec: AgentEnvironmentSpec,
  dirs: AgentDirs,
): AgentEnvironment {
  const publicVars = new Map<string, [string, string]>(); // env key -> [pipeline name, value]
  const secretVars = new Map<string, [string, string]>();
  const given: Record<string, string> = { ...defaultVariables(dirs), ...spec.variables };
  if (spec.debug) given[Var.SystemDebug] = 'true';
  for (const [name, value] of Object.entries(given)) {
    publicVars.set(envFormat(name), [name, value]);
  }
  for (const [name, value] of Object.entries(spec.secretVariables ?? {})) {
    publicVars.delete(envFormat(name)); // a secret hides a public variable of the same name
    secretVars.set(envFormat(name), [name, value]);
  }
  const variable = (name: string) =>
    (publicVars.get(envFormat(name)) ?? secretVars.get(envFormat(name)))?.[1];
  const agentVersion = variable(Var.AgentVersion) ?? '';
  if (def.minimumAgentVersion && compareVersions(def.minimumAgentVersion, agentVersion) > 0) {
    throw new Error(
      `${def.name} needs agent ${def.minimumAgentVersion}; the run has Agent.Version=${agentVersion}`,
    );
  }
  const inputs = resolveInputs(def, spec.inputs ?? {}, variable);
  const env: Record<string, string> = {
    [EnvName.tfBuild]: 'True',
    [EnvName.publicVariableNames]: JSON.stringify([...publicVars.values()].map(([name]) => name)),
    [EnvName.secretVariableNames]: JSON.stringify([...secretVars.values()].map(([name]) => name)),
  };
  publicVars.forEach(([, value], key) => (env[key] = value));
  secretVars.forEach(([, value], key) => (env[EnvName.secretVariable(key)] = value));
  inputs.forEach((value, name) => (env[EnvName.input(name)] = value));
  Object.assign(env, endpointEnv(def, inputs, spec.endpoints ?? {}));
  return { env, inputs, variable };
}
