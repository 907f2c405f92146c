// Every AzureRM scheme end to end: the AzureTokenProbe test task run as the agent runs it, with the
// real @azure/identity against the Entra ID emulator and the Azure DevOps OIDC fixture, System.Debug
// on. The runner fails a run that prints a secret it was given; these tests also check that no
// token the emulators issued was printed and that each was registered with the agent.
import assert from 'node:assert/strict';
import { type EndpointSpec, type TaskRun, disposeTaskRuns, runTask } from '../../support/taskRunner';
import {
  type AzureTestEnvironment,
  PROJECT,
  TENANT,
  endpointOf,
  ids,
  startAzureTestEnvironment,
} from '../../support/azureEnvironment';

describe('AzureTokenProbe: Azure service connections through the agent protocol', function () {
  this.timeout(120_000);
  let env: AzureTestEnvironment;
  before(async () => {
    env = await startAzureTestEnvironment();
  });
  after(async () => {
    disposeTaskRuns();
    await env?.stop();
  });

  const secretEndpoint = (secret: string) =>
    endpointOf(env, ids.secretConnection, 'ServicePrincipal', {
      serviceprincipalid: ids.secretApp,
      tenantid: TENANT,
      authenticationType: 'spnKey',
      serviceprincipalkey: secret,
    });

  const wifEndpoints = (connectionId = ids.wifConnection): Record<string, EndpointSpec> => ({
    [connectionId]: endpointOf(env, connectionId, 'WorkloadIdentityFederation', {
      serviceprincipalid: ids.wifApp,
      tenantid: TENANT,
    }),
    SystemVssConnection: {
      url: env.oidc.collectionUri,
      scheme: 'OAuth',
      parameters: { AccessToken: env.jobAccessToken },
    },
  });

  const wifVariables = () => ({
    'System.CollectionUri': env.oidc.collectionUri,
    'System.TeamProjectId': PROJECT.id,
  });

  async function probe(
    connectionId: string,
    endpoints: Record<string, EndpointSpec>,
    more: {
      scope?: string;
      variables?: Record<string, string>;
      secretVariables?: Record<string, string>;
      env?: Record<string, string>;
    } = {},
  ): Promise<TaskRun> {
    return runTask({
      task: { testOnly: 'AzureTokenProbeV1' },
      inputs: { azureSubscription: connectionId, scope: more.scope ?? 'arm' },
      endpoints,
      variables: more.variables,
      secretVariables: more.secretVariables,
      env: { NODE_EXTRA_CA_CERTS: env.entra.caFile, ...more.env },
      debug: true,
    });
  }

  /**
   * No issued token was printed (outside the task.setsecret lines that register it), and every
   * one issued during the run was registered as a secret.
   */
  function assertTokensMasked(run: TaskRun, issuedBefore: { entra: number; oidc: number }) {
    const issued = [
      ...env.entra.issuedTokens.slice(issuedBefore.entra),
      ...env.oidc.issuedTokens.slice(issuedBefore.oidc),
    ];
    assert.ok(issued.length > 0, 'the run obtained tokens');
    const printed = `${run.stdout}\n${run.stderr}`
      .split(/\r?\n/)
      .filter((line) => !line.startsWith('##vso[task.setsecret]'))
      .join('\n');
    for (const token of issued) {
      assert.ok(!printed.includes(token), 'an issued token was printed');
      assert.ok(run.secrets.includes(token), 'an issued token was not registered with task.setsecret');
    }
  }

  const issuedCounts = () => ({ entra: env.entra.issuedTokens.length, oidc: env.oidc.issuedTokens.length });

  it('ServicePrincipal with a client secret: token for ARM, secret and token masked', async () => {
    const before = issuedCounts();
    const run = await probe(ids.secretConnection, {
      [ids.secretConnection]: secretEndpoint(env.clientSecret),
    });
    assert.equal(run.result, 'Succeeded', run.message);
    assert.equal(run.variables['audience']?.value, 'https://management.azure.com');
    assert.equal(run.variables['appId']?.value, ids.secretApp);
    assert.equal(run.variables['tenantId']?.value, TENANT);
    assert.ok(Number(run.variables['tokenLength']?.value) > 200);
    assert.ok(run.secrets.includes(env.clientSecret), 'the client secret is registered');
    assertTokensMasked(run, before);
  });

  it('ServicePrincipal with a certificate: the PEM and each of its lines are registered', async () => {
    const before = issuedCounts();
    const pem = env.certificate.combinedPem;
    const run = await probe(
      ids.secretConnection,
      {
        [ids.secretConnection]: endpointOf(env, ids.secretConnection, 'ServicePrincipal', {
          serviceprincipalid: ids.certApp,
          tenantid: TENANT,
          authenticationType: 'spnCertificate',
          servicePrincipalCertificate: pem,
        }),
      },
      { scope: 'keyvault' },
    );
    assert.equal(run.result, 'Succeeded', run.message);
    assert.equal(run.variables['audience']?.value, 'https://vault.azure.net');
    const keyLines = env.certificate.keyPem.split('\n').filter((l) => l && !l.startsWith('-----'));
    for (const line of keyLines) assert.ok(run.secrets.includes(line), 'a key line is not registered');
    assertTokensMasked(run, before);
  });

  it('ManagedServiceIdentity: token from the agent VM identity endpoint (IMDS protocol)', async () => {
    const before = issuedCounts();
    const run = await probe(
      ids.secretConnection,
      {
        [ids.secretConnection]: endpointOf(
          env,
          ids.secretConnection,
          'ManagedServiceIdentity',
          { tenantid: TENANT },
          {
            msiclientId: ids.managedIdentity,
          },
        ),
      },
      { env: { AZURE_POD_IDENTITY_AUTHORITY_HOST: env.entra.managedIdentityUrl } },
    );
    assert.equal(run.result, 'Succeeded', run.message);
    assert.equal(run.variables['appId']?.value, ids.managedIdentity);
    assert.equal(run.variables['audience']?.value, 'https://management.azure.com');
    const last = env.entra.tokenRequests.at(-1);
    assert.deepEqual(
      [last?.endpoint, last?.clientId, last?.outcome],
      ['imds', ids.managedIdentity, 'issued'],
    );
    assertTokensMasked(run, before);
  });

  it('ManagedServiceIdentity: system-assigned identity through the App Service protocol', async () => {
    const before = issuedCounts();
    const run = await runTask({
      task: { testOnly: 'AzureTokenProbeV1' },
      inputs: { azureSubscription: ids.secretConnection, scope: 'keyvault' },
      endpoints: {
        [ids.secretConnection]: endpointOf(env, ids.secretConnection, 'ManagedServiceIdentity', {
          tenantid: TENANT,
        }),
      },
      env: {
        IDENTITY_ENDPOINT: `${env.entra.managedIdentityUrl}/msi/token`,
        IDENTITY_HEADER: env.identityHeader,
      },
      secrets: [env.identityHeader],
      debug: true,
    });
    assert.equal(run.result, 'Succeeded', run.message);
    assert.equal(run.variables['appId']?.value, ids.managedIdentity);
    assert.equal(run.variables['audience']?.value, 'https://vault.azure.net');
    const last = env.entra.tokenRequests.at(-1);
    assert.deepEqual([last?.endpoint, last?.clientId, last?.outcome], ['appService', undefined, 'issued']);
    assertTokensMasked(run, before);
  });

  it('WorkloadIdentityFederation: OIDC token from Azure DevOps, exchanged with Entra ID', async () => {
    const before = issuedCounts();
    const oidcBefore = env.oidc.requests.length;
    const run = await probe(ids.wifConnection, wifEndpoints(), { variables: wifVariables() });
    assert.equal(run.result, 'Succeeded', run.message);
    assert.equal(run.variables['appId']?.value, ids.wifApp);
    assert.deepEqual(env.oidc.requests.slice(oidcBefore), [
      { serviceConnectionId: ids.wifConnection, status: 200 },
    ]);
    assert.equal(env.entra.tokenRequests.at(-1)?.credential, 'federated');
    assert.ok(run.secrets.includes(env.jobAccessToken), 'the job access token is registered');
    assertTokensMasked(run, before);
  });

  it('WorkloadIdentityFederation: an OIDC endpoint failing twice is retried', async () => {
    const oidcBefore = env.oidc.requests.length;
    env.oidc.failNext(2, 503);
    const run = await probe(ids.wifConnection, wifEndpoints(), { variables: wifVariables() });
    assert.equal(run.result, 'Succeeded', run.message);
    assert.deepEqual(
      env.oidc.requests.slice(oidcBefore).map((r) => r.status),
      [503, 503, 200],
    );
    assert.equal(run.stdout.match(/failed \(attempt \d of 4: HTTP 503/g)?.length, 2);
  });

  it('WorkloadIdentityFederation: an OIDC endpoint that keeps failing gives a clear error', async () => {
    env.oidc.failNext(100, 500);
    try {
      const run = await probe(ids.wifConnection, wifEndpoints(), { variables: wifVariables() });
      assert.equal(run.result, 'Failed');
      assert.match(run.message ?? '', new RegExp(`Azure service connection '${ids.wifConnection}'`));
      assert.match(run.message ?? '', /could not get an OIDC token .* after 4 attempts \(HTTP 500/);
    } finally {
      env.oidc.failNext(0);
    }
  });

  it('a wrong client secret fails with the AADSTS code and the connection', async () => {
    const run = await probe(ids.secretConnection, {
      [ids.secretConnection]: secretEndpoint('wrong~secret~value'),
    });
    assert.equal(run.result, 'Failed');
    assert.match(run.message ?? '', /AADSTS7000215/);
    assert.match(run.message ?? '', new RegExp(ids.secretConnection));
  });

  it('a missing parameter fails naming the connection and the parameter', async () => {
    const run = await probe(ids.secretConnection, {
      [ids.secretConnection]: endpointOf(env, ids.secretConnection, 'ServicePrincipal', {
        serviceprincipalid: ids.secretApp,
        authenticationType: 'spnKey',
        serviceprincipalkey: env.clientSecret,
      }),
    });
    assert.equal(run.result, 'Failed');
    assert.match(
      run.message ?? '',
      new RegExp(`Azure service connection '${ids.secretConnection}'.*'tenantid'`),
    );
  });

  it('ACR: an Entra token for the ACR audience of the connection cloud', async () => {
    const run = await probe(
      ids.secretConnection,
      { [ids.secretConnection]: secretEndpoint(env.clientSecret) },
      { scope: 'acr' },
    );
    assert.equal(run.result, 'Succeeded', run.message);
    assert.equal(run.variables['audience']?.value, 'https://containerregistry.azure.net');
  });

  it('trusts the emulator through Agent.CAInfo as well as NODE_EXTRA_CA_CERTS (WIF: both clients)', async () => {
    const run = await runTask({
      task: { testOnly: 'AzureTokenProbeV1' },
      inputs: { azureSubscription: ids.wifConnection },
      endpoints: wifEndpoints(),
      variables: { ...wifVariables(), 'Agent.CAInfo': env.entra.caFile },
      debug: true,
    });
    assert.equal(run.result, 'Succeeded', run.message);
  });
});
