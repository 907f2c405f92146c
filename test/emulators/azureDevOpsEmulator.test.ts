// The Azure DevOps emulator's own protocol (raw HTTPS trusting the test CA): bearer tokens checked,
// 403 for a token without the permission, the timeline and approvals in the service's shapes.
import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, describe, it } from 'mocha';
import {
  BUILD_TIMELINE_LOCATION_ID,
  startAzureDevOpsEmulator,
  type AzureDevOpsEmulator,
} from './azureDevOpsEmulator';

function call(ado: AzureDevOpsEmulator, method: string, path: string, token?: string) {
  return new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
    const req = https.request(
      new URL(path, ado.collectionUri),
      { method, ca: ado.caPem, headers: token ? { authorization: `Bearer ${token}` } : {} },
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
    req.end();
  });
}

describe('emulators: Azure DevOps (builds, timeline, approvals)', () => {
  let ado: AzureDevOpsEmulator;
  before(async () => {
    ado = await startAzureDevOpsEmulator({
      project: 'shop',
      tokens: { full: { timeline: true, approvals: true }, blind: { timeline: false, approvals: false } },
      builds: [
        {
          id: 42,
          records: [
            {
              id: 'a1',
              type: 'Checkpoint.Approval',
              name: 'Approval',
              state: 'completed',
              result: 'succeeded',
            },
          ],
          approvals: [
            {
              id: 'a1',
              status: 'approved',
              steps: [{ approver: 'Alice', uniqueName: 'alice@contoso.com', status: 'approved' }],
            },
          ],
        },
      ],
    });
  });
  after(() => ado.stop());

  it('serves the build area location data without a token', async () => {
    const answer = await call(ado, 'OPTIONS', '_apis/build');
    assert.equal(answer.status, 200);
    assert.equal((answer.body['value'] as { id: string }[])[0]?.id, BUILD_TIMELINE_LOCATION_ID);
  });

  it('refuses a missing or unknown token with 401 and a token without the permission with 403', async () => {
    assert.equal((await call(ado, 'GET', 'shop/_apis/build/builds/42/timeline')).status, 401);
    assert.equal((await call(ado, 'GET', 'shop/_apis/build/builds/42/timeline', 'forged')).status, 401);
    const refused = await call(ado, 'GET', 'shop/_apis/build/builds/42/timeline', 'blind');
    assert.equal(refused.status, 403);
    assert.equal(refused.body['typeKey'], 'AccessCheckException');
    assert.equal(
      (await call(ado, 'GET', 'shop/_apis/pipelines/approvals?approvalIds=a1', 'blind')).status,
      403,
    );
  });

  it('answers the timeline with string states, and approvals with steps only when expanded', async () => {
    const timeline = await call(ado, 'GET', 'shop/_apis/build/builds/42/Timeline', 'full');
    assert.equal(timeline.status, 200);
    assert.deepEqual(
      (timeline.body['records'] as { type: string; state: string; result: string }[]).map((r) => [
        r.type,
        r.state,
        r.result,
      ]),
      [['Checkpoint.Approval', 'completed', 'succeeded']],
    );
    assert.equal((await call(ado, 'GET', 'shop/_apis/build/builds/7/timeline', 'full')).status, 404);
    assert.equal((await call(ado, 'GET', 'other/_apis/build/builds/42/timeline', 'full')).status, 404);
    const plain = await call(ado, 'GET', 'shop/_apis/pipelines/approvals?approvalIds=a1', 'full');
    assert.equal((plain.body['value'] as Record<string, unknown>[])[0]?.['steps'], undefined);
    const expanded = await call(
      ado,
      'GET',
      'shop/_apis/pipelines/approvals?approvalIds=a1&$expand=steps',
      'full',
    );
    const steps = (expanded.body['value'] as { steps: { actualApprover: { uniqueName: string } }[] }[])[0]
      ?.steps;
    assert.equal(steps?.[0]?.actualApprover.uniqueName, 'alice@contoso.com');
  });
});
