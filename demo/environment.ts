// What the demo starts on loopback. Real: two CNCF distribution registries (`docker-registry`):
// non-production with basic auth, production with token auth and an ACR-style /oauth2/exchange
// of Entra ID tokens. Emulated (test/emulators, reached only through what a user configures):
// Entra ID, Azure DevOps (the pipeline OIDC endpoint, the run's timeline and approvals, on one
// collection URI), Key Vault (secrets and the two signing keys), ACR's lock API in front of the
// production registry, and a Kubernetes API server (unless --kubeconfig names a real cluster).
// stop() ends all of it and removes its files.
import crypto from 'node:crypto';
import { startRegistry, type RegistryFixture } from '../test/emulators/registry';
import { pushImage, pushReferrer, type PushedImage } from '../test/emulators/registry/images';
import { startEntraIdEmulator, type EntraIdEmulator } from '../test/emulators/entraIdEmulator';
import { azureDevOpsApi, type AdoRequest, type BuildSpec } from '../test/emulators/azureDevOpsEmulator';
import {
  startKeyVaultEmulator,
  type KeyVaultEmulator,
  type StoredKey,
} from '../test/emulators/keyVaultEmulator';
import { startKubernetesEmulator, type KubernetesEmulator } from '../test/emulators/kubernetes';
import { startOidcTokenFixture, type OidcTokenFixture } from '../test/emulators/oidcTokenFixture';
import { connectionId } from '../runner/pipeline/connections';
import { demoRun } from './devOpsRun';
import { HOTFIX_TAG, SERVICE, VERSION } from './sampleService';

export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const SUBSCRIPTION = 'c0ffee00-1111-2222-3333-444455556666';
export const PROJECT = { id: '4f1c7a6e-0d8b-4bd5-9f55-2b7d0f4a2c11', name: 'DroneDelivery' };
/** The app registration behind the `fabrikam-wif` connection (workload identity federation). */
export const WIF_APP = 'a1b2c3d4-0000-4000-8000-0000000000f1';
export const WIF_CONNECTION = 'fabrikam-wif';
/** The CI identity that signs with the release key (a service principal of its own). */
export const CI_SIGNER_APP = 'a1b2c3d4-0000-4000-8000-0000000000c1';

/** Platforms of the multi-arch image CI pushed. */
export const PLATFORMS = ['linux/amd64', 'linux/arm64'];

export interface DemoEnvironment {
  readonly nonprod: RegistryFixture;
  readonly prod: RegistryFixture;
  readonly nonprodUser: { username: string; password: string };
  readonly entra: EntraIdEmulator;
  readonly oidc: OidcTokenFixture;
  readonly jobAccessToken: string;
  readonly vault: KeyVaultEmulator;
  /** The vault's keys: CI signs images with `release-signing`, PromoteImage records with `promotion-signing`. */
  readonly keys: { readonly release: StoredKey; readonly promotion: StoredKey };
  /** A vault key named as cosign names it: `azurekms://<vault host>/<key>`. */
  readonly kms: (key: string) => string;
  /** The CI signing identity's sign-in (its secret is one of the values never to print). */
  readonly ciSigner: { readonly tenantId: string; readonly clientId: string; readonly secret: string };
  /** Requests the emulated Azure DevOps served (timeline, approvals). */
  readonly devopsRequests: readonly AdoRequest[];
  /** Records the answer to the production approval in the emulated run. */
  readonly recordApproval: (approved: boolean) => void;
  /** Values the vault holds (the demo shows them masked; the leak check looks for them). */
  readonly vaultSecrets: Record<string, string>;
  /** Undefined with --kubeconfig (a real cluster). */
  readonly cluster?: KubernetesEmulator;
  readonly image: PushedImage;
  readonly referrers: number;
  /** Lines saying what is real and what is emulated. */
  readonly description: string[];
  stop(): Promise<void>;
}

const secret = (prefix: string) => `${prefix}~${crypto.randomBytes(18).toString('base64url')}`;

export async function startDemoEnvironment(options: { realCluster: boolean }): Promise<DemoEnvironment> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    await Promise.allSettled(stops.splice(0).map((s) => s()));
  };
  try {
    const jobAccessToken = secret('job');
    const builds: BuildSpec[] = []; // the run appears once the approval is answered
    const devops = azureDevOpsApi({
      project: PROJECT.name,
      tokens: { [jobAccessToken]: { timeline: true, approvals: true } },
      builds,
    });
    const oidc = await startOidcTokenFixture({
      project: PROJECT,
      accessToken: jobAccessToken,
      serviceConnections: [{ id: connectionId(WIF_CONNECTION), name: WIF_CONNECTION }],
      otherRequests: devops.handler,
    });
    stops.push(() => oidc.stop());
    const ciSignerSecret = secret('ci');
    const entra = await startEntraIdEmulator({
      apps: [
        {
          tenantId: TENANT,
          clientId: WIF_APP,
          federatedCredentials: [
            { issuer: oidc.issuer, subject: oidc.subjectFor(connectionId(WIF_CONNECTION)) },
          ],
        },
        { tenantId: TENANT, clientId: CI_SIGNER_APP, secrets: [ciSignerSecret] },
      ],
    });
    stops.push(() => entra.stop());
    entra.trustIssuer(oidc.issuer, oidc.publicKey);

    const vaultSecrets = {
      [`${SERVICE}-db-password`]: secret('db'),
      [`${SERVICE}-scheduler-key`]: secret('sched'),
      'payments-api-key': secret('pay'), // not selected by `delivery-*`
    };
    const vault = await startKeyVaultEmulator({
      tenantId: TENANT,
      authority: entra.url,
      verifyToken: (token) => entra.verifyAccessToken(token),
      secrets: Object.entries(vaultSecrets).map(([name, value]) => ({ name, value })),
    });
    stops.push(() => vault.stop());
    const keys = {
      release: vault.addKey({ name: 'release-signing' }),
      promotion: vault.addKey({ name: 'promotion-signing' }),
    };

    const nonprodUser = { username: 'ci-pipeline', password: secret('reg'), access: { '*': ['*' as const] } };
    const nonprod = await startRegistry({ auth: 'basic', users: [nonprodUser] });
    stops.push(() => nonprod.stop());
    const prodUser = {
      username: 'fabrikam-wif',
      password: secret('acr'),
      access: {
        'prod/*': ['pull' as const, 'push' as const, 'metadata_read' as const, 'metadata_write' as const],
      },
    };
    const prod = await startRegistry({
      auth: 'token',
      acr: true, // ACR's lock API (/acr/v1/) in front, enforcing locks on the registry behind it
      users: [prodUser],
      // As ACR: an Entra ID token for the registry audience, from an app it knows, becomes a user.
      entraTokens: (token) => {
        try {
          const claims = entra.verifyAccessToken(token);
          const known = claims['appid'] === WIF_APP || claims['azp'] === WIF_APP;
          return known && String(claims['aud']).includes('containerregistry') ? prodUser.username : undefined;
        } catch {
          return undefined;
        }
      },
    });
    stops.push(() => prod.stop());

    let cluster: KubernetesEmulator | undefined;
    if (!options.realCluster) {
      cluster = await startKubernetesEmulator({ readyDelayMs: 100 });
      stops.push(() => cluster?.stop() ?? Promise.resolve());
    }

    // What CI built: a multi-arch image with an SBOM, and the base image (CI signs it in its stage).
    const seed = `${SERVICE}-v${VERSION}`;
    const image = await pushImage(nonprod, SERVICE, {
      format: 'oci',
      platforms: PLATFORMS,
      layers: [2 * 1024 * 1024, 512 * 1024],
      tag: `v${VERSION}`,
      seed,
    });
    await pushReferrer(nonprod, SERVICE, image.digest, 'cosign-sbom', { seed: `${seed}-sbom` });
    await pushImage(nonprod, 'base/dotnet-runtime', { format: 'oci', tag: '8.0', seed: 'base-runtime-8.0' });
    // A hotfix someone pushed by hand, never signed: the production gate must refuse it.
    await pushImage(nonprod, SERVICE, {
      format: 'oci',
      layers: [64 * 1024],
      tag: HOTFIX_TAG,
      seed: `${seed}-hotfix`,
    });
    nonprod.resetRequests();
    prod.resetRequests();

    const description = [
      `Real:     non-production registry http://${nonprod.host} (CNCF distribution, basic auth)`,
      `Real:     production registry     http://${prod.host} (CNCF distribution, token auth, ACR-style Entra ID exchange)`,
      'Real:     Helm 3, git, the packaged .vsix tasks run as the agent runs them',
      `Emulated: Entra ID                ${entra.url} (workload identity federation app ${WIF_APP})`,
      `Emulated: Azure DevOps            ${oidc.collectionUri} (the pipeline's id token for fabrikam-wif, the run's timeline and approvals)`,
      `Emulated: Azure Key Vault         ${vault.url} (secrets; keys release-signing and promotion-signing, EC P-256)`,
      `Emulated: ACR lock API            http://${prod.host}/acr/v1/ (tag and manifest locks, in front of the real production registry)`,
      "Played:   the CI stage's cosign script steps (no cosign binary here): the demo pushes the bundles cosign 3 pushes",
      cluster
        ? `Emulated: Kubernetes API server   ${cluster.url} (namespaces staging and production)`
        : 'Real:     Kubernetes cluster from --kubeconfig (namespaces staging and production)',
    ];
    return {
      nonprod,
      prod,
      nonprodUser,
      entra,
      oidc,
      jobAccessToken,
      vault,
      keys,
      kms: (key) => `azurekms://${new URL(vault.url).host}/${key}`,
      ciSigner: { tenantId: TENANT, clientId: CI_SIGNER_APP, secret: ciSignerSecret },
      devopsRequests: devops.requests,
      recordApproval: (approved) => builds.splice(0, builds.length, demoRun(approved, new Date())),
      vaultSecrets,
      ...(cluster ? { cluster } : {}),
      image,
      referrers: 1,
      description,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
