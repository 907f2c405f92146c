import {
  agentHelmRunner,
  agentHttpSettings,
  agentLogger,
  agentSecrets,
  completeSignatureGate,
  knownSecrets,
  setOutput,
  uploadSummary,
} from '../common/agent';
import {
  typedSecretForms,
  describeChart,
  diffRelease,
  type ReleaseDiff,
  failedUpgrade,
  logFailureDiagnostics,
  locateHelm,
  localChart,
  probeHelm,
  HelmCommandError,
  HelmRunner,
  rollbackRelease,
  uninstallRelease,
  upgradeRelease,
  type UpgradeOptions,
  releaseHistory,
  releaseStatus,
  type ReleaseTarget,
} from '../common/helm';
import { UserError } from '../common/errors';
import { isInsecureRegistry } from '../common/registry';
import { prepareClusterAccess, type ClusterAccess } from './clusterAccess';
import { chartRegistryAccess, prepareChart } from './dependencies';
import { checkChartImages, type ImageCheck } from './imageCheck';
import { readInputs, type DeployHelmChartInputs, type ImageVerification } from './inputs';
import { renderSummary, type DeploySummary } from './summary';

/** The title of the task's build summary section, and of the failure summary runTask uploads. */
export const SUMMARY_TITLE = 'Deploy Helm chart';

interface ActionOutcome {
  readonly revision: string;
  readonly status: string;
  readonly changeCause?: string;
  readonly annotated: readonly string[];
  readonly diff?: ReleaseDiff;
  readonly images?: ImageCheck;
}

async function runAction(
  runner: HelmRunner,
  options: DeployHelmChartInputs,
  target: ReleaseTarget,
  verifyImages: ImageVerification | undefined,
): Promise<ActionOutcome> {
  const deps = { helm: runner, logger: agentLogger };
  const common = { ...target, wait: options.wait, timeout: options.timeout, extraArgs: options.extraArgs };
  if ((options.action === 'upgrade' || options.action === 'diff') && options.chart) {
    const chart = options.chart;
    const plainHttp =
      chart.kind === 'oci' && isInsecureRegistry(chart.location.host, options.insecureRegistries);
    let upgrade: UpgradeOptions = {
      ...common,
      chart,
      ...(options.chartVersion ? { chartVersion: options.chartVersion } : {}),
      createNamespace: options.createNamespace,
      valueFiles: options.valueFiles,
      values: options.values,
      changeCause: options.changeCause,
      atomic: options.atomic,
      historyMax: options.historyMax,
      ...(options.userPostRenderer ? { userPostRenderer: options.userPostRenderer } : {}),
      plainHttp,
      serverSide: options.serverSide,
    };
    // One registry client for Helm's logins and the images' signatures, closed before the upgrade.
    const access = chartRegistryAccess(options);
    let images: ImageCheck | undefined;
    try {
      await prepareChart(runner, options, chart, plainHttp, access);
      // Set for upgrades only (inputs refuse verifyImages on any other action).
      if (verifyImages) {
        upgrade = await localChart(runner, agentLogger, upgrade);
        const checked = upgrade;
        images = await agentLogger.group(
          `Verify the images of ${target.release} (${verifyImages.level})`,
          () => checkChartImages(runner, checked, verifyImages, () => access.get().client),
        );
      }
    } finally {
      access.close();
    }
    if (options.action === 'diff') {
      agentLogger.info(`What helm upgrade ${target.release} (${describeChart(chart)}) would change:`);
      const diff = await diffRelease(deps, upgrade, knownSecrets());
      return { revision: String(diff.liveRevision ?? ''), status: 'diff', annotated: [], diff };
    }
    agentLogger.info(`Change cause: ${options.changeCause}`);
    const result = await agentLogger.group(
      `helm upgrade --install ${target.release} (${describeChart(chart)})`,
      () => upgradeRelease(deps, upgrade),
    );
    agentLogger.info(
      `kubernetes.io/change-cause set on: ${result.annotated.join(', ') || 'no workload (the chart renders none)'}`,
    );
    return {
      revision: String(result.status?.revision ?? ''),
      status: result.status?.status ?? '',
      changeCause: options.changeCause,
      annotated: result.annotated,
      ...(images ? { images } : {}),
    };
  }
  if (options.action === 'rollback') {
    const status = await agentLogger.group(`helm rollback ${target.release}`, () =>
      rollbackRelease(deps, {
        ...common,
        historyMax: options.historyMax,
        ...(options.revision ? { revision: options.revision } : {}),
      }),
    );
    return {
      revision: String(status?.revision ?? ''),
      status: status?.status ?? '',
      changeCause: status?.description,
      annotated: [],
    };
  }
  const before = await releaseStatus(runner, target);
  if (!before) {
    agentLogger.warn(`Release ${target.release} does not exist: nothing to uninstall.`);
    return { revision: '', status: 'not-found', annotated: [] };
  }
  await agentLogger.group(`helm uninstall ${target.release}`, () =>
    uninstallRelease(deps, { ...common, description: options.changeCause }),
  );
  return {
    revision: String(before.revision),
    status: 'uninstalled',
    changeCause: options.changeCause,
    annotated: [],
  };
}

/** The release's revision before an upgrade (undefined: none, or the cluster did not say). */
async function revisionBefore(runner: HelmRunner, target: ReleaseTarget): Promise<number | undefined> {
  try {
    return (await releaseStatus(runner, target))?.revision;
  } catch {
    return undefined; // the upgrade itself will say what is wrong with the cluster
  }
}

export async function deployHelmChartTask(): Promise<void> {
  const options = readInputs();
  // A Key Vault key in cosignPublicKey is read before Helm runs, through the connection that reads
  // the images' registries: a wrong key, vault or permission fails first.
  const verifyImages = options.verifyImages && {
    level: options.verifyImages.level,
    gate: await completeSignatureGate(
      options.verifyImages.gate,
      options.registryAzureSubscription,
      'registryAzureSubscription',
    ),
  };
  // A secret in a values line may be printed in its typed form (a diff, Helm's errors): mask that too.
  typedSecretForms(options.values, knownSecrets()).forEach((form) => agentSecrets.register(form));
  const helm = await probeHelm(locateHelm(options.helmPath));
  agentLogger.info(`Helm ${helm.version.text} at ${helm.path}.`);
  const runner = agentHelmRunner(helm, options.tempDirectory);
  try {
    const cluster: ClusterAccess = await prepareClusterAccess(options.cluster, runner);
    agentLogger.info(`Cluster: ${cluster.description}.`);
    const namespace = options.namespace ?? cluster.namespace;
    const target: ReleaseTarget = {
      release: options.releaseName,
      ...(namespace ? { namespace } : {}),
      ...(cluster.context ? { kubeContext: cluster.context } : {}),
    };
    const started = new Date();
    const before = options.action === 'upgrade' ? await revisionBefore(runner, target) : undefined;
    const publishSummary = async (extra: Partial<DeploySummary>) =>
      uploadSummary(
        SUMMARY_TITLE,
        renderSummary({
          action: options.action,
          release: target.release,
          namespace: namespace ?? 'default',
          cluster: cluster.description,
          helmVersion: `Helm ${helm.version.text}`,
          annotated: [],
          ...extra,
          history:
            extra.history ??
            (options.action === 'uninstall' ? [] : await releaseHistory(runner, target).catch(() => [])),
        }),
      );
    let outcome: ActionOutcome;
    try {
      outcome = await runAction(runner, options, target, verifyImages);
    } catch (err) {
      if (err instanceof HelmCommandError && options.action !== 'uninstall' && options.action !== 'diff') {
        // One `helm history` after a failed upgrade: where it left the release, and the summary's table.
        const history =
          options.action === 'upgrade' ? await releaseHistory(runner, target).catch(() => []) : [];
        const attempt = options.action === 'upgrade' ? failedUpgrade(history, before) : undefined;
        const found = await logFailureDiagnostics(runner, agentLogger, {
          target,
          kubeconfig: cluster.kubeconfig,
          network: agentHttpSettings(),
          since: started,
          defaultNamespace: namespace ?? 'default',
          ...(attempt?.revision !== undefined ? { failedRevision: attempt.revision } : {}),
        });
        if (attempt) {
          setOutput('status', 'failed');
          setOutput('revision', attempt.revision ?? '');
          setOutput('changeCause', options.changeCause);
          if (attempt.rolledBackTo !== undefined)
            agentLogger.info(`Rolled back to revision ${attempt.rolledBackTo} (atomic).`);
          await publishSummary({
            history,
            changeCause: options.changeCause,
            failure: { error: err.message, ...attempt, ...found },
          });
        }
      }
      // Helm's own error does not say which cluster it could not reach or was refused by.
      if (err instanceof HelmCommandError)
        throw new UserError(`${err.message}\nRelease ${target.release} on ${cluster.description}.`, {
          cause: err,
        });
      throw err;
    }
    if (outcome.diff) {
      const changed = outcome.diff.changes;
      setOutput('hasChanges', String(changed.length > 0));
      setOutput('changedObjects', changed.map((c) => c.title).join(', '));
      await publishSummary({ changes: changed });
      return;
    }
    setOutput('revision', outcome.revision);
    setOutput('status', outcome.status);
    setOutput('changeCause', outcome.changeCause ?? '');
    if (outcome.images) setOutput('verifiedImages', JSON.stringify(outcome.images.images));
    agentLogger.info(`Release ${target.release}: revision ${outcome.revision || '-'}, ${outcome.status}.`);
    await publishSummary({
      ...(outcome.images ? { images: outcome.images } : {}),
      ...(outcome.changeCause ? { changeCause: outcome.changeCause } : {}),
      annotated: outcome.annotated,
    });
  } finally {
    runner.dispose();
  }
}
