import path from 'node:path';
import { inputs, agentVariable } from '../common/agent';
import { UserError } from '../common/errors';
import { chooseChartVersion, type ChosenVersion, parseOciLocation, type OciLocation } from '../common/helm';

/** PublishHelmChart@1 inputs (and the run's branch and build number), read once and validated. */
export interface PublishHelmChartInputs {
  readonly chartPath: string;
  readonly registry: OciLocation;
  readonly registryConnection: string | undefined;
  readonly azureSubscription: string | undefined;
  readonly version: ChosenVersion;
  readonly appVersion: string | undefined;
  readonly updateDependencies: boolean;
  readonly overwrite: boolean;
  readonly helmPath: string | undefined;
  readonly insecureRegistries: readonly string[];
  readonly tempDirectory: string | undefined;
}

export function readInputs(): PublishHelmChartInputs {
  const chartPath = inputs.filePath('chartPath');
  if (!chartPath)
    throw new UserError("Input 'chartPath' is required: the chart's folder (holding Chart.yaml).");
  const registryConnection = inputs.connection('registryConnection');
  const azureSubscription = inputs.connection('azureSubscription');
  if (registryConnection && azureSubscription) {
    throw new UserError(
      "Give 'registryConnection' or 'azureSubscription', not both: they are two ways to sign in to the registry.",
    );
  }
  const appVersion = inputs.optional('appVersion');
  return {
    chartPath: path.resolve(chartPath),
    registry: parseOciLocation(inputs.required('registry'), "Input 'registry'"),
    registryConnection,
    azureSubscription,
    version: chooseChartVersion({
      explicit: inputs.optional('version'),
      branch: agentVariable('Build.SourceBranch'),
      buildNumber: agentVariable('Build.BuildNumber'),
    }),
    appVersion,
    updateDependencies: inputs.boolean('updateDependencies', true),
    overwrite: inputs.boolean('overwrite', false),
    helmPath: inputs.filePath('helmPath'),
    insecureRegistries: inputs.lines('insecureRegistries'),
    tempDirectory: agentVariable('Agent.TempDirectory'),
  };
}
