// DeployHelmChart@1 `verifyImages: signed` with the cosign key in Key Vault (`azurekms://`): the
// packaged task reads the public key through `registryAzureSubscription` (the connection that
// reads the images' registries) from the Key Vault emulator behind the Entra ID emulator, before
// Helm runs, and checks the rendered images (real registry fixture, cosign `.sig` tags) with it.
import assert from 'node:assert/strict';
import { startKubernetesEmulator, type KubernetesEmulator } from '../../emulators/kubernetes';
import type { StoredKey } from '../../emulators/keyVaultEmulator';
import { startRegistry, type RegistryFixture } from '../../emulators/registry';
import { attachSigTag } from '../../common/signatures/cosignArtifacts';
import {
  CONNECTION_ID,
  startKeyVaultTestEnvironment,
  type KeyVaultTestEnvironment,
} from '../../support/keyVaultEnvironment';
import { publish, signableImage } from '../../support/signedImages';
import { toolPath } from '../../support/tools';
import { copyChart, removeTempDirs } from '../../support/helmUnderTest';
import { K8S_CONNECTION, assertSucceeded, deploy, disposeTaskRuns, kubernetesEndpoint } from './deployRun';

describe('DeployHelmChart@1 verifyImages with a Key Vault cosign key (azurekms://, Helm 4)', function () {
  this.timeout(300_000);
  let k8s: KubernetesEmulator;
  let reg: RegistryFixture;
  let kv: KeyVaultTestEnvironment;
  let releaseKey: StoredKey;
  let otherKey: StoredKey;
  let chart: string;
  let n = 0;

  before(async () => {
    [k8s, reg, kv] = await Promise.all([
      startKubernetesEmulator({ readyDelayMs: 50 }),
      startRegistry({ auth: 'anonymous' }),
      startKeyVaultTestEnvironment([]),
    ]);
    releaseKey = kv.vault.addKey({ name: 'release-signing' });
    otherKey = kv.vault.addKey({ name: 'other-team' });
    chart = copyChart('workloads', {});
  });
  after(async () => {
    disposeTaskRuns();
    removeTempDirs();
    await Promise.all([k8s?.stop(), reg?.stop(), kv?.stop()]);
  });

  const kms = (key: StoredKey) => `azurekms://${new URL(kv.vault.url).host}/${key.name}`;
  const kidOf = (key: StoredKey) => `${kv.vault.url}/keys/${key.name}/${key.version}`;

  /** An image signed with `key`, deployed with `inputs` in a fresh namespace. */
  async function deploySigned(key: StoredKey, inputs: Record<string, string>) {
    const s = await signableImage(reg, `kv/app${++n}`, '1.0');
    attachSigTag(s.memory, s.image.digest, key.privateKey);
    await publish(reg, s);
    const release = `kv${n}`;
    const run = await deploy({
      helmBin: toolPath('HELM4_BIN'),
      endpoints: {
        [K8S_CONNECTION]: kubernetesEndpoint(k8s, 'ServiceAccount'),
        // The agent passes only connections an input names.
        ...(inputs['registryAzureSubscription'] ? { [CONNECTION_ID]: kv.endpoint } : {}),
      },
      inputs: {
        kubernetesServiceConnection: K8S_CONNECTION,
        releaseName: release,
        namespace: release,
        chart,
        values: `image=${reg.host}/${s.repository}:1.0@${s.image.digest}`,
        verifyImages: 'signed',
        verifySignatures: 'cosignKey',
        cosignPublicKey: kms(releaseKey),
        ...inputs,
      },
      env: kv.env,
    });
    const deployed = k8s.object('apps/v1', 'Deployment', release, `${release}-web`) !== undefined;
    return { run, deployed };
  }

  it('reads the key through registryAzureSubscription and deploys an image signed with it, naming the key id', async () => {
    const { run, deployed } = await deploySigned(releaseKey, { registryAzureSubscription: CONNECTION_ID });
    assertSucceeded(run);
    assert.ok(deployed);
    const [checked] = JSON.parse(run.variables['verifiedImages']?.value ?? '[]') as { signer?: string }[];
    assert.match(checked?.signer ?? '', new RegExp(`^cosign key: key ${kidOf(releaseKey)} \\(sha256:`));
    assert.ok(run.stdout.includes(`Trusted cosign key read from Key Vault: ${kidOf(releaseKey)}.`));
  });

  it('refuses an image signed with another key, naming the Key Vault key, and deploys nothing', async () => {
    const { run, deployed } = await deploySigned(otherKey, { registryAzureSubscription: CONNECTION_ID });
    assert.equal(run.agentResult, 'Failed');
    assert.match(run.message ?? '', /wrong key/);
    assert.ok(run.message?.includes(kidOf(releaseKey)), run.message);
    assert.equal(deployed, false);
  });

  it('without registryAzureSubscription, fails before Helm runs, naming the input to set', async () => {
    const { run, deployed } = await deploySigned(releaseKey, {});
    assert.equal(run.agentResult, 'Failed');
    assert.match(
      run.message ?? '',
      /^Input 'cosignPublicKey' names a Key Vault key \(azurekms:\/\/.*\): set 'registryAzureSubscription'/,
    );
    assert.doesNotMatch(run.stdout, /^Helm \S+ at /m, 'Helm was not even probed');
    assert.equal(deployed, false);
  });
});
