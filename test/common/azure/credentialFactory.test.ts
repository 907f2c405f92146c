// The credential factory in-process with the real @azure/identity against the Entra ID emulator
// and the OIDC fixture. The emulators' CA is trusted through the agent CA setting (tls.caFile),
// which exercises the SDK network policy.
import { requestDevOpsOidcToken } from '../../../tasks/common/agent/devOpsOidcToken';
import assert from 'node:assert/strict';
import type { NetworkOptions } from '../../../tasks/common/net/agentNetwork';
import {
  type AzureCredentialContext,
  createAzureCredential,
} from '../../../tasks/common/azure/credentialFactory';
import type { PipelineOidcContext } from '../../../tasks/common/azure/pipelineOidcAssertion';
import { UserError } from '../../../tasks/common/errors';
import type { Logger } from '../../../tasks/common/log';
import {
  type AzureTestEnvironment,
  PROJECT,
  TENANT,
  azureRmConnection,
  ids,
  startAzureTestEnvironment,
} from '../../support/azureEnvironment';

const ARM = 'https://management.azure.com/.default';

function recordingContext(env: AzureTestEnvironment, network: Partial<NetworkOptions> = {}) {
  const secrets: string[] = [];
  const lines: string[] = [];
  const logger: Logger = {
    info: (m) => lines.push(m),
    debug: (m) => lines.push(m),
    warn: (m) => lines.push(m),
    group: (_t, body) => body(),
  };
  const oidc: PipelineOidcContext = {
    collectionUri: env.oidc.collectionUri,
    projectId: PROJECT.id,
    hubName: 'build',
    planId: 'plan-1',
    jobId: 'job-1',
    accessToken: env.jobAccessToken,
  };
  const ctx: AzureCredentialContext = {
    network: { tls: { caFile: env.entra.caFile }, ...network },
    secrets: { register: (v) => secrets.push(v) },
    logger,
    oidc,
    oidcTokens: requestDevOpsOidcToken,
    oidcRetry: { attempts: 3, initialDelayMs: 10 },
  };
  return { ctx, secrets, lines };
}

async function rejection(promise: Promise<unknown>): Promise<UserError> {
  const err = await promise.then(
    () => assert.fail('expected a failure'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof UserError, `expected a UserError, got ${String(err)}`);
  return err;
}

describe('Azure credential factory against the Entra ID emulator', function () {
  let env: AzureTestEnvironment;
  before(async () => {
    env = await startAzureTestEnvironment();
  });
  after(async () => {
    await env?.stop();
  });

  it('signs in a service principal with a client secret', async () => {
    const { ctx, secrets } = recordingContext(env);
    const conn = azureRmConnection(env, ids.secretConnection, 'ServicePrincipal', {
      serviceprincipalid: ids.secretApp,
      tenantid: TENANT,
      authenticationType: 'spnKey',
      serviceprincipalkey: env.clientSecret,
    });
    const { credential, cloud, tenantId } = createAzureCredential(conn, ctx);
    const token = await credential.getToken(ARM);
    const claims = env.entra.verifyAccessToken(token.token);
    assert.equal(claims['aud'], 'https://management.azure.com');
    assert.equal(claims['appid'], ids.secretApp);
    assert.equal(claims['tid'], TENANT);
    assert.equal(tenantId, TENANT);
    assert.equal(cloud.knownAuthority, false);
    assert.ok(secrets.includes(token.token), 'the access token is registered as a secret');
    assert.ok(token.expiresOnTimestamp > Date.now() + 30 * 60_000);
  });

  it('names the connection and keeps the AADSTS code when the secret is wrong', async () => {
    const { ctx } = recordingContext(env);
    const conn = azureRmConnection(env, ids.secretConnection, 'ServicePrincipal', {
      serviceprincipalid: ids.secretApp,
      tenantid: TENANT,
      authenticationType: 'spnKey',
      serviceprincipalkey: 'not-the-secret',
    });
    const err = await rejection(createAzureCredential(conn, ctx).credential.getToken(ARM));
    assert.match(err.message, /AADSTS7000215/);
    assert.match(err.message, new RegExp(ids.secretConnection));
    assert.match(err.message, /Fabrikam Production/);
    assert.doesNotMatch(err.message, /not-the-secret/);
  });

  it('explains an unknown tenant (Entra answers AADSTS90002 to the OpenID configuration)', async () => {
    const { ctx } = recordingContext(env);
    const conn = azureRmConnection(env, ids.secretConnection, 'ServicePrincipal', {
      serviceprincipalid: ids.secretApp,
      tenantid: '00000000-dead-beef-0000-000000000000',
      serviceprincipalkey: env.clientSecret,
    });
    const err = await rejection(createAzureCredential(conn, ctx).credential.getToken(ARM));
    assert.match(err.message, /endpoints_resolution_error/);
    assert.match(err.message, /OpenID configuration of tenant '00000000-dead-beef-0000-000000000000'/);
  });

  it('signs in with the connection certificate (one PEM, key and certificate)', async () => {
    const { ctx } = recordingContext(env);
    const conn = azureRmConnection(env, ids.secretConnection, 'ServicePrincipal', {
      serviceprincipalid: ids.certApp,
      tenantid: TENANT,
      authenticationType: 'spnCertificate',
      servicePrincipalCertificate: env.certificate.combinedPem,
    });
    const token = await createAzureCredential(conn, ctx).credential.getToken(
      'https://vault.azure.net/.default',
    );
    assert.equal(env.entra.verifyAccessToken(token.token)['aud'], 'https://vault.azure.net');
    const last = env.entra.tokenRequests.at(-1);
    assert.deepEqual([last?.credential, last?.outcome], ['certificate', 'issued']);
  });

  it('fails with AADSTS700027 for a certificate the app does not have', async () => {
    const { ctx } = recordingContext(env);
    const conn = azureRmConnection(env, ids.secretConnection, 'ServicePrincipal', {
      serviceprincipalid: ids.certApp,
      tenantid: TENANT,
      authenticationType: 'spnCertificate',
      servicePrincipalCertificate: env.strangerCertificate.combinedPem,
    });
    const err = await rejection(createAzureCredential(conn, ctx).credential.getToken(ARM));
    assert.match(err.message, /AADSTS700027/);
  });

  it('signs in with workload identity federation, fetching the OIDC token once', async () => {
    const { ctx, secrets } = recordingContext(env);
    const before = env.oidc.requests.length;
    const conn = azureRmConnection(env, ids.wifConnection, 'WorkloadIdentityFederation', {
      serviceprincipalid: ids.wifApp,
      tenantid: TENANT,
    });
    const { credential } = createAzureCredential(conn, ctx);
    assert.equal(env.oidc.requests.length, before, 'no OIDC request before a token is needed');
    const arm = await credential.getToken(ARM);
    const vault = await credential.getToken('https://vault.azure.net/.default');
    assert.equal(env.entra.verifyAccessToken(arm.token)['appid'], ids.wifApp);
    assert.equal(env.entra.verifyAccessToken(vault.token)['aud'], 'https://vault.azure.net');
    const oidcRequests = env.oidc.requests.slice(before);
    assert.deepEqual(oidcRequests, [{ serviceConnectionId: ids.wifConnection, status: 200 }]);
    assert.equal(secrets.length, 3, 'the OIDC token and both access tokens are registered');
  });

  it('retries the OIDC token endpoint when it fails twice', async () => {
    const { ctx, lines } = recordingContext(env);
    const before = env.oidc.requests.length;
    env.oidc.failNext(2, 503);
    const conn = azureRmConnection(env, ids.wifConnection, 'WorkloadIdentityFederation', {
      serviceprincipalid: ids.wifApp,
      tenantid: TENANT,
    });
    const token = await createAzureCredential(conn, ctx).credential.getToken(ARM);
    assert.ok(env.entra.verifyAccessToken(token.token));
    assert.deepEqual(
      env.oidc.requests.slice(before).map((r) => r.status),
      [503, 503, 200],
    );
    assert.equal(lines.filter((l) => /retrying/.test(l)).length, 2);
  });

  it('gives a clear error when the OIDC token endpoint keeps failing', async () => {
    const { ctx } = recordingContext(env);
    env.oidc.failNext(10, 500);
    try {
      const conn = azureRmConnection(env, ids.wifConnection, 'WorkloadIdentityFederation', {
        serviceprincipalid: ids.wifApp,
        tenantid: TENANT,
      });
      const err = await rejection(createAzureCredential(conn, ctx).credential.getToken(ARM));
      assert.match(err.message, /could not get an OIDC token/);
      assert.match(err.message, /after 3 attempts/);
      assert.match(err.message, /HTTP 500/);
      assert.match(err.message, new RegExp(ids.wifConnection));
    } finally {
      env.oidc.failNext(0);
    }
  });

  it('does not retry a refused job access token', async () => {
    const { ctx } = recordingContext(env);
    const before = env.oidc.requests.length;
    const conn = azureRmConnection(env, ids.wifConnection, 'WorkloadIdentityFederation', {
      serviceprincipalid: ids.wifApp,
      tenantid: TENANT,
    });
    const bad = { ...ctx, oidc: { ...ctx.oidc!, accessToken: 'wrong' } };
    const err = await rejection(createAzureCredential(conn, bad).credential.getToken(ARM));
    assert.match(err.message, /HTTP 401/);
    assert.equal(env.oidc.requests.length - before, 1);
  });

  it('reports a subject Entra does not federate with AADSTS700213', async () => {
    const { ctx } = recordingContext(env);
    const conn = azureRmConnection(env, ids.otherWifConnection, 'WorkloadIdentityFederation', {
      serviceprincipalid: ids.wifApp,
      tenantid: TENANT,
    });
    const err = await rejection(createAzureCredential(conn, ctx).credential.getToken(ARM));
    assert.match(err.message, /AADSTS700213/);
    assert.match(err.message, /sc:\/\/fabrikam\/Delivery\/not-federated/);
  });

  it('reports an expired OIDC token with AADSTS700024', async () => {
    const { ctx } = recordingContext(env);
    env.oidc.setLifetime(-120);
    try {
      const conn = azureRmConnection(env, ids.wifConnection, 'WorkloadIdentityFederation', {
        serviceprincipalid: ids.wifApp,
        tenantid: TENANT,
      });
      const err = await rejection(createAzureCredential(conn, ctx).credential.getToken(ARM));
      assert.match(err.message, /AADSTS700024/);
    } finally {
      env.oidc.setLifetime(undefined);
    }
  });

  it('names the connection and the missing parameter', () => {
    const { ctx } = recordingContext(env);
    const conn = azureRmConnection(env, ids.secretConnection, 'ServicePrincipal', {
      serviceprincipalid: ids.secretApp,
      tenantid: TENANT,
      authenticationType: 'spnKey',
    });
    assert.throws(
      () => createAzureCredential(conn, ctx),
      (err: unknown) =>
        err instanceof UserError &&
        err.message.includes(ids.secretConnection) &&
        err.message.includes("'serviceprincipalkey'"),
    );
  });

  it('refuses an unsupported scheme by name', () => {
    const { ctx } = recordingContext(env);
    const conn = azureRmConnection(env, ids.secretConnection, 'PublishProfile', {});
    assert.throws(
      () => createAzureCredential(conn, ctx),
      /Azure service connection 'e0e0e0e0-0000-4000-8000-00000000000c'.*scheme 'PublishProfile'.*ServicePrincipal, ManagedServiceIdentity, WorkloadIdentityFederation/,
    );
  });

  it('refuses a certificate parameter without a private key', () => {
    const { ctx } = recordingContext(env);
    const conn = azureRmConnection(env, ids.secretConnection, 'ServicePrincipal', {
      serviceprincipalid: ids.certApp,
      tenantid: TENANT,
      authenticationType: 'spnCertificate',
      servicePrincipalCertificate: env.certificate.certPem,
    });
    assert.throws(
      () => createAzureCredential(conn, ctx),
      /one PEM holding both the private key and the certificate/,
    );
  });
});
