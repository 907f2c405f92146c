// PublishHelmChart@1 signing in to an ACR-like registry with Entra ID: the AzureRM connection's
// service principal gets a token from the Entra ID emulator, the registry's /oauth2/exchange turns
// it into a refresh token, and helm logs in with it as 00000000-0000-0000-0000-000000000000.
import assert from 'node:assert/strict';
import {
  TENANT,
  endpointOf,
  ids,
  startAzureTestEnvironment,
  type AzureTestEnvironment,
} from '../../support/azureEnvironment';
import { startRegistry, type RegistryFixture } from '../../emulators/registry';
import { getManifest } from '../../emulators/registry/images';
import { disposeTaskRuns, runTask } from '../../support/taskRunner';
import { toolPath } from '../../support/tools';
import { HELMS, copyChart, removeTempDirs } from '../../support/helmUnderTest';

const CONNECTION = 'e0e0e0e0-0000-4000-8000-0000000000ac';

describe('PublishHelmChart@1 task: ACR sign-in with Entra ID', function () {
  this.timeout(120_000);
  let azure: AzureTestEnvironment;
  let registry: RegistryFixture;

  before(async () => {
    azure = await startAzureTestEnvironment();
    registry = await startRegistry({
      auth: 'token',
      users: [{ username: 'spn-pusher', password: 'not-used-here', access: { 'helm/*': ['pull', 'push'] } }],
      entraTokens: (token) => (azure.entra.issuedTokens.includes(token) ? 'spn-pusher' : undefined),
    });
  });
  after(async () => {
    disposeTaskRuns();
    removeTempDirs();
    await Promise.all([registry?.stop(), azure?.stop()]);
  });

  for (const helm of HELMS) {
    it(`${helm.name}: exchanges the Entra ID token and pushes`, async () => {
      const issuedBefore = azure.entra.issuedTokens.length;
      const exchangesBefore = (registry.tokenServer?.requests() ?? []).filter(
        (r) => r.endpoint === 'exchange',
      ).length;
      const run = await runTask({
        task: { shipped: 'PublishHelmChartV1' },
        inputs: {
          chartPath: copyChart('workloads'),
          registry: `oci://${registry.host}/helm`,
          azureSubscription: CONNECTION,
          version: `1.${helm.major}.0`,
          helmPath: toolPath(helm.tool),
        },
        endpoints: {
          [CONNECTION]: endpointOf(azure, CONNECTION, 'ServicePrincipal', {
            serviceprincipalid: ids.secretApp,
            tenantid: TENANT,
            authenticationType: 'spnKey',
            serviceprincipalkey: azure.clientSecret,
          }),
        },
        env: { NODE_EXTRA_CA_CERTS: azure.entra.caFile },
        debug: true,
      });
      assert.equal(run.agentResult, 'Succeeded', `${run.message}\n${run.stdout.slice(-3000)}`);
      const exchanges = (registry.tokenServer?.requests() ?? []).filter((r) => r.endpoint === 'exchange');
      assert.ok(
        exchanges.some((e) => e.user === 'spn-pusher' && e.status === 200),
        'no successful /oauth2/exchange',
      );
      // One connection read, one Entra ID sign-in, one exchange: Helm's login and the registry
      // client's tag check share the authenticator.
      const issued = azure.entra.issuedTokens.length - issuedBefore;
      assert.equal(issued, 1, `Entra ID tokens issued in one run: ${issued}`);
      const runExchanges = exchanges.length - exchangesBefore;
      assert.equal(runExchanges, 1, `/oauth2/exchange calls in one run: ${runExchanges}`);
      const login = run.debug.find((l) => l.startsWith('helm registry login'));
      assert.match(login ?? '', /--username 00000000-0000-0000-0000-000000000000 --password-stdin/);
      const stored = await getManifest(registry, 'helm/workloads', `1.${helm.major}.0`);
      assert.equal(run.variables['chartDigest']?.value, stored?.digest);
      // Every Entra token issued during the run was registered with the agent before anything else.
      for (const token of azure.entra.issuedTokens.slice(issuedBefore))
        assert.ok(run.secrets.includes(token));
    });
  }
});
