// PromoteImage@1's promotion record end to end: the packaged task against the real registry fixture
// (no referrers API: the fallback tag), a proxy serving the OCI 1.1 referrers API, and the Azure
// DevOps emulator the job reads its run's timeline and approvals from with its access token.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { PROMOTION_PREDICATE } from '../../../tasks/common/signatures';
import {
  startAzureDevOpsEmulator,
  type AzureDevOpsEmulator,
  type TokenGrant,
} from '../../emulators/azureDevOpsEmulator';
import { startRegistry, type RegistryFixture } from '../../emulators/registry';
import { listTags, pushImage } from '../../emulators/registry/images';
import { startReferrersApiProxy, type ReferrersApiProxy } from '../../emulators/referrersApiProxy';
import { validateJsonSchema } from '../../support/jsonSchema';
import { RECORD_SCHEMA, readRecords, type StoredRecord } from '../../support/promotionRecords';
import { disposeTaskRuns, type TaskRun } from '../../support/taskRunner';
import { output, promote, succeeded } from './promoteRun';

const PROJECT = 'shop';
const TOKENS: Record<string, TokenGrant> = {
  'job-token-full': { timeline: true, approvals: true },
  'job-token-timeline-only': { timeline: true, approvals: false },
  'job-token-none': { timeline: false, approvals: false },
};
const APPROVAL_ID = 'a7f3c2d1-0b4e-4c5d-9e8f-7a6b5c4d3e2f';

const warnings = (run: TaskRun) => run.issues.filter((i) => i.type === 'warning').map((i) => i.message);

describe('PromoteImage@1 promotion record', function () {
  this.timeout(240_000);
  let nonprod: RegistryFixture;
  let prod: RegistryFixture;
  let ado: AzureDevOpsEmulator;
  let proxy: ReferrersApiProxy;
  let n = 0;

  before(async () => {
    [nonprod, prod] = await Promise.all([
      startRegistry({ auth: 'anonymous' }),
      startRegistry({ auth: 'anonymous' }),
    ]);
    proxy = await startReferrersApiProxy(Number(prod.host.split(':')[1]));
    ado = await startAzureDevOpsEmulator({
      project: PROJECT,
      tokens: TOKENS,
      builds: [
        {
          id: 42,
          records: [
            { id: 's-prod', type: 'Stage', name: 'Production', state: 'inProgress' },
            {
              id: 'cp-prod',
              parentId: 's-prod',
              type: 'Checkpoint',
              name: 'Checkpoint',
              state: 'completed',
              result: 'succeeded',
            },
            {
              id: APPROVAL_ID,
              parentId: 'cp-prod',
              type: 'Checkpoint.Approval',
              name: 'Approval',
              state: 'completed',
              result: 'succeeded',
              finishTime: '2026-12-05T07:55:00.000Z',
            },
            {
              id: 'chk-hours',
              parentId: 'cp-prod',
              type: 'Checkpoint.TaskCheck',
              name: 'Business hours',
              state: 'completed',
              result: 'succeeded',
            },
            { id: 'j-promote', parentId: 's-prod', type: 'Job', name: 'Promote', state: 'inProgress' },
          ],
          approvals: [
            {
              id: APPROVAL_ID,
              status: 'approved',
              steps: [{ approver: 'Alice', uniqueName: 'alice@contoso.com', status: 'approved' }],
            },
          ],
        },
      ],
    });
  });
  after(async () => {
    disposeTaskRuns();
    await proxy?.close();
    await ado?.stop();
    await Promise.all([nonprod?.stop(), prod?.stop()]);
  });

  /** Promotes a fresh image from nonprod to `targetHost` as build 42 with `token`. */
  async function promoteAs(
    token: string | undefined,
    inputs: Record<string, string> = {},
    targetHost = prod.host,
  ) {
    const repository = `rec${++n}`;
    const image = await pushImage(nonprod, repository, { format: 'oci', layers: [256], tag: '1.0' });
    const run = await promote({
      inputs: {
        sourceImage: `${nonprod.host}/${repository}:1.0`,
        targetImage: `${targetHost}/prod/${repository}`,
        ...inputs,
      },
      variables: {
        'System.CollectionUri': ado.collectionUri,
        'System.TeamProject': PROJECT,
        'Build.BuildId': '42',
        'Build.BuildNumber': '20261205.3',
        'Build.DefinitionName': 'shop-release',
        'System.DefinitionId': '7',
        'System.StageName': 'Production',
        'System.JobName': 'Promote',
        'System.JobAttempt': '2',
      },
      ...(token
        ? {
            endpoints: {
              SystemVssConnection: {
                url: ado.collectionUri,
                scheme: 'OAuth',
                parameters: { AccessToken: token },
              },
            },
          }
        : {}),
      env: { NODE_EXTRA_CA_CERTS: ado.caFile },
    });
    return { run, image, repository: `prod/${repository}` };
  }

  const predicateOf = (r: StoredRecord) => r.statement.predicate;

  it('attaches a record of the run and its approvals to the promoted digest (fallback tag), valid against the schema', async () => {
    ado.requests.length = 0;
    const { run, image, repository } = await promoteAs('job-token-full');
    succeeded(run);
    const records = await readRecords(prod, repository, image.digest);
    assert.equal(records.length, 1);
    const record = records[0]!;
    assert.equal(output(run, 'promotionRecordDigest'), record.digest);
    assert.deepEqual(JSON.parse(output(run, 'promotionRecordDigests')), [
      `${prod.host}/${repository}@${record.digest}`,
    ]);
    assert.equal(record.statement.predicateType, PROMOTION_PREDICATE);
    assert.deepEqual(record.statement.subject, [
      { name: `${prod.host}/${repository}`, digest: { sha256: image.digest.slice('sha256:'.length) } },
    ]);
    assert.deepEqual(validateJsonSchema(record.statement, RECORD_SCHEMA), []);
    const predicate = predicateOf(record);
    assert.deepEqual(predicate['source'], {
      reference: `${nonprod.host}/${repository.slice('prod/'.length)}:1.0`,
      digest: image.digest,
    });
    assert.equal(predicate['verification'], 'not verified');
    assert.deepEqual(predicate['pipelineRun'], {
      collectionUri: ado.collectionUri,
      project: PROJECT,
      pipeline: { name: 'shop-release', id: '7' },
      run: {
        id: '42',
        number: '20261205.3',
        url: `${ado.collectionUri}${PROJECT}/_build/results?buildId=42`,
      },
      stage: 'Production',
      job: 'Promote',
      attempt: '2',
    });
    assert.deepEqual(predicate['approvals'], [
      {
        kind: 'approval',
        name: 'Approval',
        stage: 'Production',
        state: 'completed',
        result: 'succeeded',
        finishedAt: '2026-12-05T07:55:00.000Z',
        approvedBy: ['alice@contoso.com'],
      },
      {
        kind: 'TaskCheck',
        name: 'Business hours',
        stage: 'Production',
        state: 'completed',
        result: 'succeeded',
      },
    ]);
    assert.deepEqual(warnings(run), []);
    assert.equal(record.envelope.signatures.length, 0, 'unsigned without a signer');
    const summary = run.summaries[0]?.content ?? '';
    assert.match(
      summary,
      new RegExp(`Promotion records[\\s\\S]*${record.digest}[\\s\\S]*fallback tag \\| unsigned`),
    );
    assert.match(
      run.stdout,
      new RegExp(`Promotion record ${record.digest} attached .*unsigned.*2 approval\\(s\\)/check\\(s\\)`),
    );
    // The job read its run with its token: the timeline, then the approvers of the one approval.
    assert.deepEqual(
      ado.requests.map((r) => `${r.method} ${r.path.split('?')[0]} ${r.status}`),
      [
        'OPTIONS /fabrikam/_apis/build 200',
        `GET /fabrikam/${PROJECT}/_apis/build/builds/42/Timeline 200`, // the client's casing; the service ignores it
        `GET /fabrikam/${PROJECT}/_apis/pipelines/approvals 200`,
      ],
    );
  });

  it('records approvals as unknown with a warning naming the permission when the token may not read the timeline (403)', async () => {
    const { run, image, repository } = await promoteAs('job-token-none');
    succeeded(run);
    const [record] = await readRecords(prod, repository, image.digest);
    assert.equal(predicateOf(record!)['approvals'], 'unknown');
    assert.deepEqual(validateJsonSchema(record!.statement, RECORD_SCHEMA), []);
    const [warning, ...more] = warnings(run);
    assert.deepEqual(more, []);
    assert.match(
      warning ?? '',
      /approvals and checks are unknown: Azure DevOps answered 403: the job's access token lacks 'View builds' \(scope vso\.build\)/,
    );
  });

  it('keeps the checks but records approvers as unknown when the Approvals API refuses (403)', async () => {
    const { run, image, repository } = await promoteAs('job-token-timeline-only');
    succeeded(run);
    const [record] = await readRecords(prod, repository, image.digest);
    const approvals = predicateOf(record!)['approvals'] as { kind: string; approvedBy?: unknown }[];
    assert.deepEqual(
      approvals.map((a) => [a.kind, a.approvedBy]),
      [
        ['approval', 'unknown'],
        ['TaskCheck', undefined],
      ],
    );
    assert.match(warnings(run).join('\n'), /approvers are unknown: Azure DevOps answered 403/);
  });

  it('records approvals as unknown with a warning when the job has no access token', async () => {
    const { run, image, repository } = await promoteAs(undefined);
    succeeded(run);
    const [record] = await readRecords(prod, repository, image.digest);
    assert.equal(predicateOf(record!)['approvals'], 'unknown');
    assert.match(warnings(run).join('\n'), /job's access token \(System\.AccessToken/);
  });

  it('is found through the referrers API where the registry has one, without a fallback tag', async () => {
    const { run, image, repository } = await promoteAs('job-token-full', {}, proxy.host);
    succeeded(run);
    const records = await readRecords(prod, repository, image.digest, proxy.host);
    assert.deepEqual(
      records.map((r) => r.digest),
      [output(run, 'promotionRecordDigest')],
    );
    assert.deepEqual(await listTags(prod, repository), ['1.0']);
    assert.match(run.summaries[0]?.content ?? '', /referrers API \| unsigned/);
  });

  it('writes no record in a dry run, nor with recordPromotion false', async () => {
    const cases: Record<string, string>[] = [{ dryRun: 'true' }, { recordPromotion: 'false' }];
    for (const inputs of cases) {
      const { run, image, repository } = await promoteAs('job-token-full', inputs);
      succeeded(run);
      assert.equal(run.variables['promotionRecordDigest'], undefined);
      assert.deepEqual(await readRecords(prod, repository, image.digest), []);
      assert.ok(
        !(await listTags(prod, repository)).some((t) => t.startsWith('sha256-')),
        JSON.stringify(inputs),
      );
    }
  });

  it('writes one record per image when several are promoted', async () => {
    const images = await Promise.all(
      ['a', 'b'].map((name) =>
        pushImage(nonprod, `several/${name}`, { format: 'oci', layers: [128], tag: '2.0' }),
      ),
    );
    const run = succeeded(
      await promote({
        inputs: {
          sourceImage: ['a', 'b'].map((x) => `${nonprod.host}/several/${x}:2.0`).join('\n'),
          targetImage: ['a', 'b'].map((x) => `${prod.host}/prod/several-${x}`).join('\n'),
        },
      }),
    );
    const listed = JSON.parse(output(run, 'promotionRecordDigests')) as string[];
    assert.equal(listed.length, 2);
    for (const [i, x] of ['a', 'b'].entries()) {
      const records = await readRecords(prod, `prod/several-${x}`, images[i]!.digest);
      assert.equal(records.length, 1);
      assert.equal(listed[i], `${prod.host}/prod/several-${x}@${records[0]!.digest}`);
      assert.deepEqual(records[0]!.statement.subject[0]?.digest, {
        sha256: images[i]!.digest.slice('sha256:'.length),
      });
    }
  });

  it('costs a handful of registry requests per promotion (measured)', async () => {
    const measure = async (record: string) => {
      prod.resetRequests();
      const started = Date.now();
      const { run } = await promoteAs('job-token-full', { recordPromotion: record });
      succeeded(run);
      return { registry: (await prod.requests()).length, ms: Date.now() - started };
    };
    const without = await measure('false');
    ado.requests.length = 0;
    const withRecord = await measure('true');
    const extra = withRecord.registry - without.registry;
    // First record in this registry: referrers API probe, fallback tag read, empty config (HEAD, POST,
    // PUT), the layer (POST, PUT), manifest, index write and read-back; no HEAD of the subject (the
    // copy report's descriptor). Later ones skip the probe and the empty config (library test).
    assert.ok(extra >= 6, `the record made ${extra} more registry requests`);
    console.log(
      `      promotion record: +${extra} registry requests, +${ado.requests.length} Azure DevOps requests, ` +
        `${withRecord.ms - without.ms} ms (${without.ms} ms without, ${withRecord.ms} ms with)`,
    );
  });
});
