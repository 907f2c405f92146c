// Every data source binding of the shipped tasks, resolved the way Azure DevOps resolves it for the
// classic editor (test/editor/dataSourceBindings.ts) against the ARM emulator, which pages its lists
// two items at a time: the values each picker offers, that they come from the connection's
// subscription only, follow the inputs they depend on, and are what the task accepts.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseOciLocation } from '../../tasks/common/helm/ociLocation';
import { parseImageReference } from '../../tasks/common/registry/reference';
import type { ArmEmulator } from '../emulators/armEmulator';
import { repoRoot } from '../support/tools';
import { resolveBinding, type Offer } from './dataSourceBindings';
import { CONNECTION_ID, bindingEndpoint, shippedTasks, startEditorArm } from './editorEnvironment';

const values = (offers: readonly Offer[]) => offers.map((o) => o.value);
const connection = { azureSubscription: CONNECTION_ID };

/** What each bound input must offer, given the inputs set (always the AzureRM connection). */
const EXPECTED: Record<string, { inputs?: Record<string, string>; offers: Offer[] }[]> = {
  'DeployHelmChart.azureResourceGroup': [
    {
      offers: [
        { value: 'rg-shop', displayValue: 'rg-shop' },
        { value: 'rg-edge', displayValue: 'rg-edge' },
      ],
    },
  ],
  'DeployHelmChart.kubernetesCluster': [
    { inputs: {}, offers: [] },
    {
      inputs: { azureResourceGroup: 'rg-shop' },
      offers: [
        { value: 'aks-shop', displayValue: 'aks-shop' },
        { value: 'aks-shop-canary', displayValue: 'aks-shop-canary' },
      ],
    },
    { inputs: { azureResourceGroup: 'rg-edge' }, offers: [{ value: 'aks-edge', displayValue: 'aks-edge' }] },
  ],
  'PublishHelmChart.registry': [
    {
      offers: [
        {
          value: 'oci://fabrikamnonprod.azurecr.io',
          displayValue: 'fabrikamnonprod.azurecr.io (FabrikamNonProd)',
        },
        { value: 'oci://fabrikam.azurecr.io', displayValue: 'fabrikam.azurecr.io (Fabrikam)' },
        { value: 'oci://contosochina.azurecr.cn', displayValue: 'contosochina.azurecr.cn (contosochina)' },
      ],
    },
  ],
  'PromoteImage.targetRegistry': [
    {
      offers: [
        {
          value: 'fabrikamnonprod.azurecr.io',
          displayValue: 'fabrikamnonprod.azurecr.io (FabrikamNonProd)',
        },
        { value: 'fabrikam.azurecr.io', displayValue: 'fabrikam.azurecr.io (Fabrikam)' },
        { value: 'contosochina.azurecr.cn', displayValue: 'contosochina.azurecr.cn (contosochina)' },
      ],
    },
  ],
  'InjectKeyVaultSecrets.keyVaultName': [
    {
      offers: [
        { value: 'kv-shop', displayValue: 'kv-shop' },
        { value: 'kv-data', displayValue: 'kv-data' },
        { value: 'kv-data-reports', displayValue: 'kv-data-reports' },
      ],
    },
  ],
};

describe('classic editor: data source bindings resolved against the ARM emulator', function () {
  this.timeout(30_000);
  let arm: ArmEmulator;
  before(async () => {
    arm = await startEditorArm();
  });
  after(async () => arm?.stop());

  const tasks = shippedTasks();
  const bindings = tasks.flatMap(({ task }) =>
    (task.dataSourceBindings ?? []).map((b) => ({ task, binding: b })),
  );

  it('every binding of the shipped tasks has expectations here, and every expectation a binding', () => {
    assert.deepEqual(
      bindings.map(({ task, binding }) => `${task.name}.${binding.target}`).sort(),
      Object.keys(EXPECTED).sort(),
    );
  });

  for (const { task, binding } of bindings) {
    const key = `${task.name}.${binding.target}`;
    for (const { inputs = {}, offers } of EXPECTED[key] ?? []) {
      it(`${key} with ${JSON.stringify(inputs)} offers ${JSON.stringify(values(offers))}`, async () => {
        const callsBefore = arm.calls.length;
        const got = await resolveBinding(binding, bindingEndpoint(arm), { ...connection, ...inputs });
        assert.deepEqual(got, offers);
        const calls = arm.calls.slice(callsBefore);
        assert.ok(
          calls.every((c) => c.authorized && c.method === 'GET'),
          JSON.stringify(calls),
        );
        if (offers.length > 2)
          assert.ok(
            calls.some((c) => /[?&]\$skipToken=[^&]+/.test(c.query)),
            'a list longer than a page must be read by following nextLink',
          );
      });
    }
    it(`${key}: the target input is an editable pick list, so a value outside the list can be typed`, () => {
      const input = task.inputs.find((i) => i.name === binding.target);
      assert.equal(input?.type, 'pickList');
      assert.equal(input?.properties?.['EditableOptions'], 'True');
      const endpointInput = task.inputs.find((i) => `$(${i.name})` === binding.endpointId);
      assert.equal(endpointInput?.type, 'connectedService:AzureRM', `endpointId ${binding.endpointId}`);
    });
  }

  it('registries are offered as a Registry input PublishHelmChart accepts', async () => {
    const publish = tasks.find((t) => t.task.name === 'PublishHelmChart')?.task;
    const binding = publish?.dataSourceBindings?.find((b) => b.target === 'registry');
    assert.ok(binding);
    const offers = await resolveBinding(binding, bindingEndpoint(arm), connection);
    assert.ok(offers.length > 0);
    for (const { value } of offers) assert.equal(parseOciLocation(value, "Input 'registry'").path, '');
  });

  it('registries are offered to PromoteImage as a host that completes a repository:tag target', async () => {
    const promote = tasks.find((t) => t.task.name === 'PromoteImage')?.task;
    const binding = promote?.dataSourceBindings?.find((b) => b.target === 'targetRegistry');
    assert.ok(binding);
    const offers = await resolveBinding(binding, bindingEndpoint(arm), connection);
    assert.ok(offers.length > 0);
    for (const { value } of offers) {
      const ref = parseImageReference(`${value}/prod/delivery:v1`);
      assert.equal(ref.registry, value);
      assert.equal(ref.repository, 'prod/delivery');
    }
  });

  it("a connection ARM does not accept fails the binding with ARM's answer", async () => {
    const binding = bindings[0]?.binding;
    assert.ok(binding);
    await assert.rejects(
      resolveBinding(binding, bindingEndpoint(arm, 'someone-elses-token'), {
        ...connection,
        azureResourceGroup: 'rg-shop',
      }),
      /answered 401: .*InvalidAuthenticationToken/,
    );
  });

  it("a resource group that does not exist is ARM's 404, not an empty list", async () => {
    const deploy = tasks.find((t) => t.task.name === 'DeployHelmChart')?.task;
    const binding = deploy?.dataSourceBindings?.find((b) => b.target === 'kubernetesCluster');
    assert.ok(binding);
    await assert.rejects(
      resolveBinding(binding, bindingEndpoint(arm), { ...connection, azureResourceGroup: 'rg-gone' }),
      /answered 404: .*ResourceGroupNotFound/,
    );
  });
});

describe('classic editor: helpUrl and instanceNameFormat', () => {
  const readme = fs.readFileSync(path.join(repoRoot(), 'README.md'), 'utf8');
  // GitHub's heading anchors: lower case, punctuation but '-' and '_' dropped, spaces to '-'.
  const anchors = new Set(
    [...readme.matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
      (m[1] ?? '')
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    ),
  );
  const repository = (
    JSON.parse(fs.readFileSync(path.join(repoRoot(), 'package.json'), 'utf8')) as {
      repository?: string | { url?: string };
    }
  ).repository;
  const repositoryUrl = (typeof repository === 'string' ? repository : repository?.url)
    ?.replace(/^git\+/, '')
    .replace(/\.git$/, '');

  for (const { folder, task } of shippedTasks()) {
    it(`${folder}: helpUrl opens the README section of ${task.name}@${task.version.Major}`, () => {
      const url = new URL(task.helpUrl ?? '');
      assert.equal(url.protocol, 'https:');
      assert.ok(url.pathname.endsWith('/README.md'), url.href);
      const anchor = url.hash.slice(1);
      assert.ok(anchors.has(anchor), `README.md has no heading with anchor #${anchor}`);
      assert.ok(
        readme
          .split('\n')
          .some((l) => /^#{2,4} /.test(l) && l.includes(`${task.name}@${task.version.Major}`)),
        `no README heading names ${task.name}@${task.version.Major}`,
      );
      assert.ok(anchor.includes(`${task.name.toLowerCase()}${task.version.Major}`), anchor);
      if (repositoryUrl)
        assert.ok(url.href.startsWith(repositoryUrl), `${url.href} is not in ${repositoryUrl}`);
    });
  }
});
