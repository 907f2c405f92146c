// PublishHelmChart@1 signs Helm in only where the registry library's rule allows: a registry whose
// token realm is on another port gets neither the connection's password nor an Entra ID exchange,
// and the task fails naming both hosts. Scripted loopback servers record every request.
import assert from 'node:assert/strict';
import type http from 'node:http';
import {
  TENANT,
  endpointOf,
  ids,
  startAzureTestEnvironment,
  type AzureTestEnvironment,
} from '../../support/azureEnvironment';
import { scriptedServer, type ScriptedServer, type SeenRequest } from '../../emulators/scriptedServer';
import { disposeTaskRuns, runTask, type TaskRun } from '../../support/taskRunner';
import { toolPath } from '../../support/tools';
import { copyChart, removeTempDirs } from '../../support/helmUnderTest';

const AZURE = 'e0e0e0e0-0000-4000-8000-0000000000ad';
const DOCKER = 'e0e0e0e0-0000-4000-8000-0000000000ae';
const PASSWORD = 'helm-pusher-password-9931';

describe('PublishHelmChart@1 task: Helm sign-in only at the registry own host and port', function () {
  this.timeout(120_000);
  let azure: AzureTestEnvironment;
  let realm: ScriptedServer;
  let registry: ScriptedServer;

  before(async () => {
    azure = await startAzureTestEnvironment();
    // The "token service" on another port: anything reaching it would be a leak.
    realm = await scriptedServer((_req, res) => res.writeHead(200).end('{"refresh_token":"r","token":"t"}'));
    registry = await scriptedServer((_req: SeenRequest, res: http.ServerResponse) =>
      res
        .writeHead(401, {
          'www-authenticate': `Bearer realm="http://${realm.host}/oauth2/token",service="${registry.host}"`,
        })
        .end(),
    );
  });
  after(async () => {
    disposeTaskRuns();
    removeTempDirs();
    await Promise.all([registry?.stop(), realm?.stop(), azure?.stop()]);
  });

  const publish = (inputs: Record<string, string>, endpoints: Parameters<typeof runTask>[0]['endpoints']) =>
    runTask({
      task: { shipped: 'PublishHelmChartV1' },
      inputs: {
        chartPath: copyChart('workloads'),
        registry: `oci://${registry.host}/helm`,
        version: '1.0.0',
        helmPath: toolPath('HELM3_BIN'),
        ...inputs,
      },
      endpoints,
      env: { NODE_EXTRA_CA_CERTS: azure.entra.caFile },
      secrets: [PASSWORD],
      debug: true,
    });

  const refusedNamingBoth = (run: TaskRun) => {
    assert.equal(run.agentResult, 'Failed', run.stdout.slice(-2000));
    assert.ok(run.message?.includes(registry.host), run.message);
    assert.ok(run.message?.includes(realm.host), run.message);
    assert.match(run.message ?? '', /Nothing was sent there/);
    assert.ok(!run.stdout.includes('    at '), 'no stack trace');
    assert.ok(!run.debug.some((l) => l.startsWith('helm registry login')), 'Helm was not logged in');
  };

  it('azureSubscription: no Entra ID token is requested or exchanged at a realm on another port', async () => {
    const issued = azure.entra.issuedTokens.length;
    const run = await publish(
      { azureSubscription: AZURE },
      {
        [AZURE]: endpointOf(azure, AZURE, 'ServicePrincipal', {
          serviceprincipalid: ids.secretApp,
          tenantid: TENANT,
          authenticationType: 'spnKey',
          serviceprincipalkey: azure.clientSecret,
        }),
      },
    );
    refusedNamingBoth(run);
    assert.match(run.message ?? '', /Entra ID token/);
    assert.deepEqual(realm.seen, [], 'the other port was never contacted');
    assert.equal(azure.entra.issuedTokens.length, issued, 'no Entra ID token was even issued');
  });

  it('registryConnection: the password goes neither to the realm on another port nor to Helm', async () => {
    const run = await publish(
      { registryConnection: DOCKER },
      {
        [DOCKER]: {
          url: `http://${registry.host}`,
          scheme: 'UsernamePassword',
          parameters: { registry: `http://${registry.host}`, username: 'pusher', password: PASSWORD },
          data: { registrytype: 'Others' },
        },
      },
    );
    refusedNamingBoth(run);
    assert.deepEqual(realm.seen, [], 'the other port was never contacted');
    const encoded = Buffer.from(`pusher:${PASSWORD}`).toString('base64');
    assert.ok(
      registry.seen.every((r) => !(r.authorization ?? '').includes(encoded) && !r.body.includes(PASSWORD)),
    );
  });
});
