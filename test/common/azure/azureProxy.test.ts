// The agent's proxy settings (Agent.ProxyUrl, credentials, Agent.ProxyBypassList) applied to the
// Azure SDK and to azure-devops-node-api: requests go through the forward proxy fixture, except to
// bypassed hosts. Run as the agent runs the AzureTokenProbe test task.
import assert from 'node:assert/strict';
import { LeakError } from '../../support/leakCheck';
import { type EndpointSpec, type TaskRun, disposeTaskRuns, runTask } from '../../support/taskRunner';
import { type ForwardProxy, startForwardProxy } from '../../emulators/forwardProxy';
import {
  type AzureTestEnvironment,
  PROJECT,
  TENANT,
  endpointOf,
  ids,
  startAzureTestEnvironment,
} from '../../support/azureEnvironment';

const PROXY_USER = 'build-agent';

describe('Azure service connections behind the agent proxy', function () {
  this.timeout(120_000);
  let env: AzureTestEnvironment;
  let proxy: ForwardProxy;
  let authProxy: ForwardProxy;
  const proxyPassword = `proxy-${Math.random().toString(36).slice(2)}-pw`;

  before(async () => {
    env = await startAzureTestEnvironment();
    proxy = await startForwardProxy();
    authProxy = await startForwardProxy({ username: PROXY_USER, password: proxyPassword });
  });
  after(async () => {
    disposeTaskRuns();
    await Promise.all([env?.stop(), proxy?.stop(), authProxy?.stop()]);
  });

  const hostPort = (url: string) => new URL(url).host;

  const secretConnection = (): Record<string, EndpointSpec> => ({
    [ids.secretConnection]: endpointOf(env, ids.secretConnection, 'ServicePrincipal', {
      serviceprincipalid: ids.secretApp,
      tenantid: TENANT,
      serviceprincipalkey: env.clientSecret,
    }),
  });

  function probe(
    connectionId: string,
    endpoints: Record<string, EndpointSpec>,
    variables: Record<string, string>,
    secretVariables?: Record<string, string>,
  ): Promise<TaskRun> {
    return runTask({
      task: { testOnly: 'AzureTokenProbeV1' },
      inputs: { azureSubscription: connectionId },
      endpoints,
      variables,
      secretVariables,
      env: { NODE_EXTRA_CA_CERTS: env.entra.caFile },
      debug: true,
    });
  }

  it('sends Entra ID requests through Agent.ProxyUrl', async () => {
    const before = proxy.requests.length;
    const run = await probe(ids.secretConnection, secretConnection(), { 'Agent.ProxyUrl': proxy.url });
    assert.equal(run.result, 'Succeeded', run.message);
    const tunnelled = proxy.requests.slice(before);
    assert.ok(tunnelled.length > 0, 'nothing went through the proxy');
    assert.deepEqual(
      [...new Set(tunnelled.map((r) => `${r.method} ${r.target}`))],
      [`CONNECT ${hostPort(env.entra.url)}`],
    );
  });

  it('goes direct to hosts in Agent.ProxyBypassList', async () => {
    const before = proxy.requests.length;
    const run = await probe(ids.secretConnection, secretConnection(), {
      'Agent.ProxyUrl': proxy.url,
      'Agent.ProxyBypassList': JSON.stringify(['^https://127\\.0\\.0\\.1:\\d+/']),
    });
    assert.equal(run.result, 'Succeeded', run.message);
    assert.deepEqual(proxy.requests.slice(before), []);
  });

  it('sends the OIDC token request and the Entra ID exchange through the proxy (workload identity)', async () => {
    const before = proxy.requests.length;
    const run = await probe(
      ids.wifConnection,
      {
        [ids.wifConnection]: endpointOf(env, ids.wifConnection, 'WorkloadIdentityFederation', {
          serviceprincipalid: ids.wifApp,
          tenantid: TENANT,
        }),
        SystemVssConnection: {
          url: env.oidc.collectionUri,
          scheme: 'OAuth',
          parameters: { AccessToken: env.jobAccessToken },
        },
      },
      {
        'System.CollectionUri': env.oidc.collectionUri,
        'System.TeamProjectId': PROJECT.id,
        'Agent.ProxyUrl': proxy.url,
      },
    );
    assert.equal(run.result, 'Succeeded', run.message);
    const targets = new Set(proxy.requests.slice(before).map((r) => r.target));
    assert.deepEqual([...targets].sort(), [hostPort(env.entra.url), hostPort(env.oidc.url)].sort());
  });

  it('authenticates to the proxy; only task-lib itself debug-logs Agent.ProxyPassword', async () => {
    const before = authProxy.requests.length;
    // task-lib reads Agent.ProxyPassword with getVariable when it is imported and writes the value
    // to task.debug (internal._exposeProxySettings), before any task code runs. The real agent
    // knows Agent.ProxyPassword as a secret and masks it; the runner reports it as a leak.
    const run = await probe(
      ids.secretConnection,
      secretConnection(),
      { 'Agent.ProxyUrl': authProxy.url, 'Agent.ProxyUsername': PROXY_USER },
      { 'Agent.ProxyPassword': proxyPassword },
    ).then(
      (r) => r,
      (err: unknown) => {
        assert.ok(err instanceof LeakError, String(err));
        const lines = err.run.stdout.split('\n');
        for (const leak of err.leaks) {
          const n = /stdout line (\d+)/.exec(leak.where)?.[1];
          assert.ok(n, `leak outside stdout: ${leak.where}`);
          assert.match(lines[Number(n) - 1] ?? '', /^##vso\[task\.debug\]Agent\.ProxyPassword=/, leak.where);
        }
        return err.run;
      },
    );
    assert.equal(run.result, 'Succeeded', run.message);
    assert.ok(run.secrets.includes(proxyPassword), 'the proxy password is registered');
    const seen = authProxy.requests.slice(before);
    assert.ok(seen.length > 0 && seen.every((r) => !r.rejected), 'the proxy accepted the credentials');
  });

  it('fails clearly when the proxy refuses the credentials', async () => {
    const run = await probe(ids.secretConnection, secretConnection(), {
      'Agent.ProxyUrl': authProxy.url,
      'Agent.ProxyUsername': 'someone-else',
    });
    assert.equal(run.result, 'Failed');
    assert.match(run.message ?? '', /refused CONNECT .*407/);
    assert.match(run.message ?? '', new RegExp(ids.secretConnection));
  });
});
