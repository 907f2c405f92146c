// The CI stage's `cosign sign --key azurekms://<vault>/release-signing` and `cosign attest` script
// steps, played by the demo (no cosign binary here): it pushes what cosign 3 pushes to a registry
// without the referrers API, Sigstore bundle referrers (a DSSE envelope of an in-toto statement whose
// subject is the image digest) listed in the `sha256-<hex>` fallback index, signed by the Key
// Vault key through the vault's sign operation as cosign's azurekms provider does (only the
// SHA-256 digest goes to the vault), with the library's Key Vault signer. The CI identity is a
// service principal of its own (the `ci-signing` app), signing in to the emulated Entra ID.
import { createAzureCredential } from '../tasks/common/azure/credentialFactory';
import { createKeyVaultKeys, createKeyVaultSigner, parseKeyReference } from '../tasks/common/keyvault';
import { silentLogger } from '../tasks/common/log';
import { mediaTypes, type PayloadSigner } from '../tasks/common/signatures';
import {
  attachBundle,
  dsseBundleFromSignature,
  preAuthEncoding,
  statement,
} from '../test/common/signatures/cosignArtifacts';
import { MemoryRegistry, type Descriptor } from '../test/common/signatures/memoryRegistry';
import { publishSignatures } from '../test/support/signedImages';
import type { DemoEnvironment } from './environment';
import { RELEASE_BRANCH, SERVICE } from './sampleService';

export const SLSA_PROVENANCE = 'https://slsa.dev/provenance/v1';
/** The builder id the CI provenance names (and the production promotion requires). */
export const SLSA_BUILDER = 'https://dev.azure.com/fabrikam/DroneDelivery/_build?definitionId=7';
export const SOURCE_REPOSITORY = 'https://dev.azure.com/fabrikam/DroneDelivery/_git/fabrikam-dronedelivery';

export interface CiSignature {
  /** The Key Vault key id (with its version) that signed. */
  readonly keyId: string;
  /** Predicate types of the bundles pushed. */
  readonly predicates: readonly string[];
}

async function vaultSigner(env: DemoEnvironment): Promise<PayloadSigner> {
  const azure = createAzureCredential(
    {
      id: 'ci-signing',
      url: 'https://management.azure.com/',
      scheme: 'ServicePrincipal',
      parameters: {
        serviceprincipalid: env.ciSigner.clientId,
        tenantid: env.ciSigner.tenantId,
        authenticationType: 'spnKey',
        serviceprincipalkey: env.ciSigner.secret,
      },
      data: { environment: 'AzureCloud', activeDirectoryAuthority: env.entra.authorityHost },
    },
    {
      network: { tls: { caFile: env.entra.caFile } },
      secrets: { register: () => undefined },
      logger: silentLogger,
    },
  );
  const keys = createKeyVaultKeys({
    vault: { url: env.vault.url, label: `Key Vault ${env.vault.url}`, verifyChallengeResource: false },
    credential: azure.credential,
    additionalPolicies: azure.clientOptions.additionalPolicies,
  });
  return createKeyVaultSigner(keys, parseKeyReference(env.kms('release-signing'), 'cosign --key'));
}

/** Signs the image CI pushed and attests its SLSA provenance, as the CI stage's script steps do. */
export async function signInCi(env: DemoEnvironment, commit: string): Promise<CiSignature> {
  const signer = await vaultSigner(env);
  const memory = new MemoryRegistry();
  const image: Descriptor = {
    mediaType: env.image.mediaType,
    digest: env.image.digest,
    size: env.image.body.length,
  };
  const name = `${env.nonprod.host}/${SERVICE}`;
  const statements: [string, unknown][] = [
    [mediaTypes.COSIGN_SIGN_PREDICATE, {}],
    [
      SLSA_PROVENANCE,
      {
        buildDefinition: {
          buildType: 'https://release-guard.dev/demo/azure-pipelines@v1',
          externalParameters: {
            source: { repository: SOURCE_REPOSITORY, ref: `refs/heads/${RELEASE_BRANCH}` },
          },
          resolvedDependencies: [
            { uri: `git+${SOURCE_REPOSITORY}@refs/heads/${RELEASE_BRANCH}`, digest: { gitCommit: commit } },
          ],
        },
        runDetails: { builder: { id: SLSA_BUILDER }, metadata: { invocationId: '20261201.3' } },
      },
    ],
  ];
  for (const [predicateType, predicate] of statements) {
    const payload = statement(image.digest, predicateType, predicate, name);
    const signature = await signer.sign(preAuthEncoding(mediaTypes.IN_TOTO_PAYLOAD, payload));
    attachBundle(memory, image, dsseBundleFromSignature(payload, signature), predicateType);
  }
  await publishSignatures(env.nonprod, SERVICE, memory, []);
  return { keyId: signer.keyId, predicates: statements.map(([p]) => p) };
}
