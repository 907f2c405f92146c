// The Entra ID emulator's own protocol: answers in Entra's shapes, so the credential tests above
// mean something. Raw HTTPS requests trusting the test CA.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import https from 'node:https';
import { type EntraIdEmulator, startEntraIdEmulator } from './entraIdEmulator';
import { decodeJwt, nowSeconds, signJwt } from './jwt';
import { clientCertificate } from './testCertificates';

const TENANT = '0d4c8f4e-0000-4000-8000-0000000000aa';
const APP = '5e9d1b7a-0000-4000-8000-0000000000bb';
const SECRET = 'emulator-test-secret';
const ISSUER = 'https://vstoken.example.test/org';
const SUBJECT = 'sc://org/project/connection';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

function call(
  emulator: EntraIdEmulator,
  path: string,
  form?: Record<string, string>,
  headers = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = form ? new URLSearchParams(form).toString() : undefined;
    const req = https.request(
      `${emulator.url}${path}`,
      {
        method: form ? 'POST' : 'GET',
        ca: emulator.caPem,
        headers: { ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('Entra ID emulator protocol', () => {
  let entra: EntraIdEmulator;
  const issuerKeys = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  before(async () => {
    entra = await startEntraIdEmulator({
      apps: [
        {
          tenantId: TENANT,
          clientId: APP,
          secrets: [SECRET],
          federatedCredentials: [{ issuer: ISSUER, subject: SUBJECT }],
        },
      ],
    });
    entra.trustIssuer(ISSUER, issuerKeys.publicKey);
  });
  after(async () => {
    await entra?.stop();
  });

  const tokenPath = `/${TENANT}/oauth2/v2.0/token`;
  const clientCredentials = (extra: Record<string, string>) => ({
    grant_type: 'client_credentials',
    client_id: APP,
    scope: 'https://management.azure.com/.default',
    ...extra,
  });

  it('serves the OpenID configuration with an issuer on its own host', async () => {
    const { status, body } = await call(entra, `/${TENANT}/v2.0/.well-known/openid-configuration`);
    assert.equal(status, 200);
    assert.equal(body['token_endpoint'], `${entra.url}${tokenPath}`);
    assert.equal(body['issuer'], `${entra.url}/${TENANT}/v2.0`);
    for (const key of ['authorization_endpoint', 'jwks_uri']) assert.ok(body[key], key);
  });

  it('answers an unknown tenant with AADSTS90002 in the Entra error shape', async () => {
    const { status, body } = await call(
      entra,
      '/nope/oauth2/v2.0/token',
      clientCredentials({ client_secret: SECRET }),
      {
        'client-request-id': 'c0ffee00-0000-4000-8000-000000000000',
      },
    );
    assert.equal(status, 400);
    assert.equal(body['error'], 'invalid_tenant');
    assert.deepEqual(body['error_codes'], [90002]);
    assert.match(
      String(body['error_description']),
      /^AADSTS90002: Tenant 'nope' not found\..*\r\nTrace ID: [\w-]+\r\nCorrelation ID: c0ffee00-0000-4000-8000-000000000000\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/s,
    );
    assert.equal(body['correlation_id'], 'c0ffee00-0000-4000-8000-000000000000');
    assert.match(String(body['trace_id']), /^[0-9a-f-]{36}$/);
  });

  it('issues a signed JWT with aud, tid, appid, oid and exp for the right secret', async () => {
    const { status, body } = await call(entra, tokenPath, clientCredentials({ client_secret: SECRET }));
    assert.equal(status, 200);
    assert.equal(body['token_type'], 'Bearer');
    const claims = entra.verifyAccessToken(String(body['access_token']));
    assert.equal(claims['aud'], 'https://management.azure.com');
    assert.equal(claims['tid'], TENANT);
    assert.equal(claims['appid'], APP);
    assert.match(String(claims['oid']), /^[0-9a-f-]{36}$/);
    assert.ok(Number(claims['exp']) > nowSeconds() + 3000);
    assert.throws(() => entra.verifyAccessToken(`${String(body['access_token'])}x`), /not a token issued/);
  });

  it('refuses a wrong secret (401 invalid_client, AADSTS7000215) and a scope without /.default', async () => {
    const wrong = await call(entra, tokenPath, clientCredentials({ client_secret: 'nope' }));
    assert.deepEqual(
      [wrong.status, wrong.body['error'], wrong.body['error_codes']],
      [401, 'invalid_client', [7000215]],
    );
    const scope = await call(
      entra,
      tokenPath,
      clientCredentials({ client_secret: SECRET, scope: 'https://x.test' }),
    );
    assert.deepEqual([scope.status, scope.body['error']], [400, 'invalid_scope']);
    const app = await call(
      entra,
      tokenPath,
      clientCredentials({ client_secret: SECRET, client_id: 'unknown' }),
    );
    assert.deepEqual(
      [app.status, app.body['error'], app.body['error_codes']],
      [400, 'unauthorized_client', [700016]],
    );
  });

  it('checks a certificate assertion (PS256, x5t#S256) against the registered certificate', async () => {
    const cert = await clientCertificate('emulator-cert-app');
    const certApp = '5e9d1b7a-0000-4000-8000-0000000000cc';
    entra.addApp({ tenantId: TENANT, clientId: certApp, certificatePems: [cert.certPem] });
    const sign = (key: crypto.KeyObject, aud = `${entra.url}${tokenPath}`) =>
      signJwt(
        {
          iss: certApp,
          sub: certApp,
          aud,
          jti: crypto.randomUUID(),
          nbf: nowSeconds(),
          exp: nowSeconds() + 600,
        },
        key,
        { 'x5t#S256': cert.x5tS256 },
        'PS256',
      );
    const exchange = async (jwt: string) =>
      call(
        entra,
        tokenPath,
        clientCredentials({
          client_id: certApp,
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: jwt,
        }),
      );
    const own = crypto.createPrivateKey(cert.keyPem);
    assert.equal((await exchange(sign(own))).status, 200);
    const forged = await exchange(
      sign(crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey),
    );
    assert.deepEqual([forged.status, forged.body['error_codes']], [401, [700027]]);
    assert.match(String(forged.body['error_description']), /failed signature validation/);
    const misaddressed = await exchange(sign(own, 'https://login.microsoftonline.com/x/oauth2/v2.0/token'));
    assert.deepEqual(misaddressed.body['error_codes'], [50013]);
  });

  describe('federated assertions', () => {
    const assertion = (claims: Record<string, unknown>, key = issuerKeys.privateKey) =>
      signJwt(
        {
          iss: ISSUER,
          sub: SUBJECT,
          aud: 'api://AzureADTokenExchange',
          nbf: nowSeconds(),
          exp: nowSeconds() + 300,
          ...claims,
        },
        key,
      );
    const exchange = (jwt: string) =>
      call(
        entra,
        tokenPath,
        clientCredentials({
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: jwt,
        }),
      );
    const codeOf = async (jwt: string) =>
      ((await exchange(jwt)).body['error_codes'] as number[] | undefined)?.[0];

    it('accepts an assertion from the trusted issuer for the federated subject', async () => {
      const { status, body } = await exchange(assertion({}));
      assert.equal(status, 200);
      assert.equal(decodeJwt(String(body['access_token']))?.claims['appidacr'], '2');
    });

    it('answers issuer, subject, audience, signature and expiry mismatches as Entra does', async () => {
      assert.equal(await codeOf(assertion({ iss: 'https://elsewhere.test' })), 700211);
      assert.equal(await codeOf(assertion({ sub: 'sc://org/project/other' })), 700213);
      assert.equal(await codeOf(assertion({ aud: 'api://something-else' })), 700212);
      const stranger = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
      assert.equal(await codeOf(assertion({}, stranger)), 50013);
      assert.equal(await codeOf(assertion({ nbf: nowSeconds() - 900, exp: nowSeconds() - 60 })), 700024);
      assert.equal(await codeOf('not.a.jwt'), 50027);
    });
  });

  it('serves the IMDS protocol on plain http and needs the Metadata header', async () => {
    entra.addManagedIdentity({ tenantId: TENANT, clientId: 'mi-client', systemAssigned: true });
    const get = async (headers: Record<string, string>) => {
      const res = await fetch(
        `${entra.managedIdentityUrl}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://vault.azure.net`,
        { headers },
      );
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const refused = await get({});
    assert.deepEqual([refused.status, refused.body['error']], [400, 'invalid_request']);
    const ok = await get({ Metadata: 'true' });
    assert.equal(ok.status, 200);
    assert.equal(ok.body['client_id'], 'mi-client');
    assert.match(String(ok.body['expires_on']), /^\d+$/);
    assert.equal(entra.verifyAccessToken(String(ok.body['access_token']))['aud'], 'https://vault.azure.net');
  });
});
