// PromoteImage@1 signing in to an ACR-style registry with an Azure Resource Manager connection:
// Entra ID token (emulator) -> /oauth2/exchange -> refresh token -> /oauth2/token (token fixture).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'mocha';
import { startRegistry, type RegistryFixture } from '../../emulators/registry';
import { getManifest, pushImage } from '../../emulators/registry/images';
import { disposeTaskRuns, runTask } from '../../support/taskRunner';
import {
  endpointOf,
  ids,
  PROJECT,
  startAzureTestEnvironment,
  TENANT,
  type AzureTestEnvironment,
} from '../../support/azureEnvironment';
import { failureOf, output, succeeded } from './promoteRun';

describe('PromoteImage@1 (ACR sign-in through an Azure Resource Manager connection)', function () {
  this.timeout(120_000);
  let azure: AzureTestEnvironment;
  let reg: RegistryFixture;
  const acrUser = {
    username: 'acr-releaser',
    password: randomUUID(),
    access: { '*': ['pull' as const, 'push' as const] },
  };

  before(async () => {
    azure = await startAzureTestEnvironment();
    reg = await startRegistry({
      auth: 'token',
      users: [acrUser],
      // ACR accepts an Entra token for its own audience from an app it knows.
      entraTokens: (token) => {
        try {
          const claims = azure.entra.verifyAccessToken(token);
          const audience = String(claims['aud']);
          const knownApp = claims['appid'] === ids.secretApp || claims['appid'] === ids.wifApp;
          return audience.includes('containerregistry') && knownApp ? acrUser.username : undefined;
        } catch {
          return undefined;
        }
      },
    });
  });
  after(async () => {
    disposeTaskRuns();
    await Promise.all([reg?.stop(), azure?.stop()]);
  });

  function promoteWithAzure(secret: string) {
    const connection = randomUUID();
    return runTask({
      task: { shipped: 'PromoteImageV1' },
      inputs: {
        sourceImage: `${reg.host}/team/app:1.0.0`,
        targetImage: `${reg.host}/prod/app`,
        azureSubscription: connection,
      },
      endpoints: {
        [connection]: endpointOf(azure, connection, 'ServicePrincipal', {
          authenticationType: 'spnKey',
          serviceprincipalid: ids.secretApp,
          serviceprincipalkey: secret,
          tenantid: TENANT,
        }),
      },
      env: { NODE_EXTRA_CA_CERTS: azure.entra.caFile },
      debug: true,
    });
  }

  it('exchanges the Entra token for a registry token and promotes', async () => {
    const image = await pushImage(reg, 'team/app', { format: 'oci', tag: '1.0.0' });
    const issuedBefore = azure.entra.issuedTokens.length;
    const run = succeeded(await promoteWithAzure(azure.clientSecret));
    assert.equal(output(run, 'digest'), image.digest);
    assert.equal((await getManifest(reg, 'prod/app', '1.0.0'))?.digest, image.digest);
    const exchanges =
      reg.tokenServer?.requests().filter((r) => r.endpoint === 'exchange' && r.status === 200) ?? [];
    assert.ok(exchanges.length >= 1, 'the registry saw an /oauth2/exchange');
    for (const token of azure.entra.issuedTokens.slice(issuedBefore)) {
      assert.ok(run.secrets.includes(token), 'every Entra token was registered as a secret');
    }
  });

  it('fails naming the connection and the Entra error for a wrong client secret', async () => {
    const run = await promoteWithAzure('not-the-secret~123456');
    assert.match(failureOf(run), /AADSTS7000215/);
  });

  it('signs in with an ACR-type Docker registry connection using workload identity federation', async () => {
    const image = await pushImage(reg, 'team/wif', { format: 'oci', tag: '1.0.0' });
    const oidcBefore = azure.oidc.issuedTokens.length;
    const run = succeeded(
      await runTask({
        task: { shipped: 'PromoteImageV1' },
        inputs: {
          sourceImage: `${reg.host}/team/wif:1.0.0`,
          targetImage: `${reg.host}/prod/wif`,
          targetConnection: ids.wifConnection,
        },
        endpoints: {
          [ids.wifConnection]: {
            url: `https://${reg.host}`,
            scheme: 'WorkloadIdentityFederation',
            parameters: { loginServer: reg.host, serviceprincipalid: ids.wifApp, tenantid: TENANT },
            data: { registrytype: 'ACR', activeDirectoryAuthority: azure.entra.authorityHost },
          },
          SystemVssConnection: {
            url: azure.oidc.collectionUri,
            scheme: 'OAuth',
            parameters: { AccessToken: azure.jobAccessToken },
          },
        },
        variables: { 'System.CollectionUri': azure.oidc.collectionUri, 'System.TeamProjectId': PROJECT.id },
        env: { NODE_EXTRA_CA_CERTS: azure.entra.caFile },
        debug: true,
      }),
    );
    assert.equal(output(run, 'digest'), image.digest);
    assert.ok(azure.oidc.issuedTokens.length > oidcBefore, 'an OIDC token was requested for the connection');
  });
});
