// Driving Helm: finding and running it, charts (sources, versions, packaging, publishing), releases
// (upgrade, diff, rollback, uninstall, history), registry logins and the post-renderer.
export { checkExtraArguments, helmDuration, splitArguments } from './arguments';
export { chartRegistry } from './chartRegistry';
export { chartSource, describeChart, type ChartSource } from './chartSource';
export { chooseChartVersion, type ChosenVersion } from './chartVersion';
export { dependencyRegistries, updateDependencies, type DependencyRegistries } from './dependencyUpdate';
export { diffRelease, type ReleaseDiff } from './diffRelease';
export { renderRelease } from './renderRelease';
export { failedUpgrade } from './failedUpgrade';
export { logFailureDiagnostics } from './failureDiagnostics';
export { locateHelm, probeHelm, type HelmBinary } from './findHelm';
export { localChart } from './localChart';
export { HelmCommandError, HelmRunner } from './helmRunner';
export type { ObjectChange } from './manifestDiff';
export { parseOciLocation, type OciLocation } from './ociLocation';
export { helmProxyEnvironment } from './proxyEnvironment';
export { publishChart, type PublishResult } from './publishChart';
export { signInHelm, type RegistrySignIn } from './registrySignIn';
export { rollbackRelease, uninstallRelease, upgradeRelease, type UpgradeOptions } from './releaseActions';
export {
  releaseHistory,
  releaseStatus,
  validateReleaseName,
  type HistoryEntry,
  type ReleaseTarget,
} from './releaseInfo';
export { SERVER_SIDE_CHOICES, type ServerSideOptions } from './serverSideApply';
export {
  VALUE_TYPINGS,
  parseValueLines,
  typedSecretForms,
  valuesTree,
  type ValueAssignment,
} from './valuesFile';
export { parseOverrideValues } from './overrideValues';
export * from './postRender';
