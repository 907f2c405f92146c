// The workload identity assertion source against the Azure DevOps OIDC fixture, with a fake clock.
import assert from 'node:assert/strict';
import { requestDevOpsOidcToken } from '../../../tasks/common/agent/devOpsOidcToken';
import { PipelineOidcAssertion } from '../../../tasks/common/azure/pipelineOidcAssertion';
import { UserError } from '../../../tasks/common/errors';
import { silentLogger } from '../../../tasks/common/log';
import { type OidcTokenFixture, startOidcTokenFixture } from '../../emulators/oidcTokenFixture';

const PROJECT = { id: 'b1d5c7a0-0000-4000-8000-000000000001', name: 'Shop' };
const CONNECTION = 'c0c0c0c0-0000-4000-8000-000000000001';
const JOB_TOKEN = 'job-access-token-for-oidc-tests';

describe('PipelineOidcAssertion', () => {
  let oidc: OidcTokenFixture;
  before(async () => {
    oidc = await startOidcTokenFixture({
      project: PROJECT,
      accessToken: JOB_TOKEN,
      serviceConnections: [{ id: CONNECTION, name: 'shop-prod' }],
      tokenLifetimeSeconds: 600,
    });
  });
  after(async () => {
    await oidc?.stop();
  });

  function source(clock: { now: number }, secrets: string[] = [], sleeps: number[] = []) {
    return new PipelineOidcAssertion(
      {
        collectionUri: oidc.collectionUri,
        projectId: PROJECT.id,
        hubName: 'build',
        planId: 'p',
        jobId: 'j',
        accessToken: JOB_TOKEN,
      },
      CONNECTION,
      `Azure service connection '${CONNECTION}'`,
      {
        network: { tls: { caFile: oidc.caFile } },
        requestToken: requestDevOpsOidcToken,
        secrets: { register: (v) => secrets.push(v) },
        logger: silentLogger,
        retry: { attempts: 3, initialDelayMs: 100 },
        now: () => clock.now,
        sleep: (ms) => {
          sleeps.push(ms);
          return Promise.resolve();
        },
      },
    );
  }

  it('fetches lazily, reuses the token while valid and fetches again near its expiry', async () => {
    const clock = { now: Date.now() };
    const secrets: string[] = [];
    const before = oidc.requests.length;
    const assertion = source(clock, secrets);
    assert.equal(oidc.requests.length, before, 'nothing fetched at construction');
    const first = await assertion.getAssertion();
    clock.now += 8 * 60_000;
    assert.equal(await assertion.getAssertion(), first, 'two minutes left: reused');
    clock.now += 90_000;
    const second = await assertion.getAssertion();
    assert.notEqual(second, first, 'thirty seconds left: fetched again');
    assert.equal(oidc.requests.length - before, 2);
    assert.deepEqual(secrets, [first, second]);
  });

  it('backs off exponentially between retries of transient failures', async () => {
    const sleeps: number[] = [];
    oidc.failNext(2, 429);
    const token = await source({ now: Date.now() }, [], sleeps).getAssertion();
    assert.ok(token.split('.').length === 3);
    assert.deepEqual(sleeps, [100, 200]);
  });

  it('does not retry an unknown service connection and says what to check', async () => {
    const sleeps: number[] = [];
    const other = new PipelineOidcAssertion(
      {
        collectionUri: oidc.collectionUri,
        projectId: PROJECT.id,
        hubName: 'build',
        planId: 'p',
        jobId: 'j',
        accessToken: JOB_TOKEN,
      },
      'ffffffff-0000-4000-8000-000000000000',
      'Azure service connection ffff',
      {
        network: { tls: { caFile: oidc.caFile } },
        requestToken: requestDevOpsOidcToken,
        secrets: { register: () => undefined },
        logger: silentLogger,
        sleep: (ms) => {
          sleeps.push(ms);
          return Promise.resolve();
        },
      },
    );
    const err = await other.getAssertion().then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof UserError);
    assert.match(err.message, /after 1 attempt \(HTTP 400: Service connection ffffffff/);
    assert.match(err.message, /authorized to use the service connection/);
    assert.equal(other.lastFailure, err);
    assert.deepEqual(sleeps, []);
  });
});
