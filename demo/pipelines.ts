// The demo's pipeline, stage by stage, as the YAML a team would commit (release-flow.md), and the
// service connections those steps name. The runner plays each stage's steps with the packaged tasks.
import { SLSA_BUILDER, SLSA_PROVENANCE, SOURCE_REPOSITORY } from './ciSigning';
import { HOTFIX_TAG, RELEASE_BRANCH, SERVICE, VERSION } from './sampleService';

export interface DemoHosts {
  /** host:port of the non-production registry (basic auth). */
  readonly nonprod: string;
  /** host:port of the production registry (token auth, Entra ID exchange as ACR). */
  readonly prod: string;
  /** Key Vault URI. */
  readonly vault: string;
  /** False on a real cluster: its nodes cannot pull from registries on this machine's loopback. */
  readonly wait: boolean;
  /** A Key Vault key as cosign names it: `azurekms://<vault>/<key>`. */
  readonly kms: (key: string) => string;
}

export interface DemoStage {
  readonly id: 'ci' | 'staging' | 'production' | 'rerun' | 'hotfix';
  readonly title: string;
  /** System.StageName and System.JobName of the stage's job. */
  readonly stageName: string;
  readonly jobName: string;
  /**
   * Script steps a team writes first in this stage, which the demo plays itself (no cosign binary
   * here; see ciSigning.ts). Shown, not run by the runner.
   */
  readonly played?: string;
  /** The task steps the runner runs. */
  readonly yaml: string;
}

export function demoStages(h: DemoHosts): DemoStage[] {
  const chart = `oci://${h.nonprod}/helm/${SERVICE}`;
  const deploy = (
    connection: string,
    namespace: string,
    values: string,
    extra = '',
  ) => `- task: DeployHelmChart@1
  name: deploy_${namespace}
  inputs:
    kubernetesServiceConnection: ${connection}
    chart: ${chart}
    chartVersion: ${VERSION}            # the version PublishHelmChart derived from the branch
    registryConnection: nonprod-registry
    insecureRegistries: ${h.nonprod}    # the local registries speak plain HTTP
    releaseName: ${SERVICE}
    namespace: ${namespace}
    wait: ${h.wait}
    atomic: ${h.wait}
${extra}    values: |
${values
  .split('\n')
  .map((l) => `      ${l}`)
  .join('\n')}
`;
  // The trust policy of production: CI's key in Key Vault, and its SLSA provenance.
  const trustPolicy = `    verifySignatures: cosignKey           # the exact digest must carry CI's signature, before any write
    cosignPublicKey: ${h.kms('release-signing')}
    requireAttestations: ${SLSA_PROVENANCE}
    slsaBuilderId: ${SLSA_BUILDER}
    slsaSourceRepository: ${SOURCE_REPOSITORY}`;
  const promote = (name: string) => `- task: PromoteImage@1
  name: ${name}
  inputs:
    sourceImage: ${h.nonprod}/${SERVICE}:v${VERSION}
    targetImage: ${h.prod}/prod/${SERVICE}:v${VERSION}
    lockFile: $(Pipeline.Workspace)/image-lock/image-lock.json
    sourceConnection: nonprod-registry
    azureSubscription: fabrikam-wif     # Entra ID token exchanged at the registry, as ACR does; reads the vault keys
${trustPolicy}
    signingKey: ${h.kms('promotion-signing')} # the promotion record, signed
    lockTarget: true                    # ACR: the tag and manifest become read-only
`;
  return [
    {
      id: 'ci',
      title: `CI (branch ${RELEASE_BRANCH})`,
      stageName: 'CI',
      jobName: 'Build',
      played: `- script: |                            # after the image build and push
    cosign sign --yes --key ${h.kms('release-signing')} ${h.nonprod}/${SERVICE}@$(imageDigest)
    cosign attest --yes --key ${h.kms('release-signing')} --type slsaprovenance1 \
      --predicate provenance.json ${h.nonprod}/${SERVICE}@$(imageDigest)
  displayName: Sign the image and attest its provenance (cosign 3, Key Vault key)
  env:                                  # cosign's azurekms provider signs in as the CI identity
    AZURE_TENANT_ID: $(ciTenantId)
    AZURE_CLIENT_ID: $(ciClientId)
    AZURE_CLIENT_SECRET: $(ciClientSecret)
`,
      yaml: `steps:
- task: PinImageDigests@1               # every tag in chart values, manifests, compose, Dockerfile -> digest
  name: pin
  inputs:
    files: |
      charts/${SERVICE}/values*.yaml
      deploy/**/*.yaml
      docker-compose.yml
      Dockerfile
    containerRegistry: nonprod-registry
    publishLockFile: true               # the lock travels with the build as artifact image-lock
- task: PublishHelmChart@1              # version from ${RELEASE_BRANCH} -> ${VERSION}
  name: chart
  inputs:
    chartPath: charts/${SERVICE}
    registry: oci://${h.nonprod}/helm
    registryConnection: nonprod-registry
    insecureRegistries: ${h.nonprod}
`,
    },
    {
      id: 'staging',
      title: 'Staging',
      stageName: 'Staging',
      jobName: 'Deploy',
      yaml: `steps:
- task: InjectKeyVaultSecrets@1
  name: secrets
  inputs:
    azureSubscription: fabrikam-wif
    keyVaultName: ${h.vault}
    secrets: |
      ${SERVICE}-*
    variableNames: upperSnake
    targetFiles: config/appsettings.json
${deploy('aks-staging', 'staging', `db.password=$(DELIVERY_DB_PASSWORD)`)}`,
    },
    {
      id: 'production',
      title: 'Production',
      stageName: 'Production',
      jobName: 'Release',
      yaml: `steps:
- download: current
  artifact: image-lock                  # the lock written in CI
${promote('promote')}${deploy(
        'aks-production',
        'production',
        `image=$(promote.imageReference)\ndb.password=$(DELIVERY_DB_PASSWORD)`,
        `    registryAzureSubscription: fabrikam-wif # reads the signatures in production (Entra ID)
    verifyImages: signed                # every image the chart renders: pinned and signed by CI's key
    verifySignatures: cosignKey
    cosignPublicKey: $(Build.SourcesDirectory)/deploy/release-signing.pub # the same key's public part
`,
      )}`,
    },
    {
      id: 'rerun',
      title: 'Production, PromoteImage run again (must change nothing)',
      stageName: 'Production',
      jobName: 'Release',
      yaml: `steps:
${promote('promote_again')}`,
    },
    {
      id: 'hotfix',
      title: 'Production, an unsigned hotfix image (the gate must refuse it, writing nothing)',
      stageName: 'Production',
      jobName: 'Hotfix',
      yaml: `steps:
- task: PromoteImage@1
  name: promote_hotfix
  continueOnError: true                 # the demo goes on to show that nothing was written
  inputs:
    sourceImage: ${h.nonprod}/${SERVICE}:${HOTFIX_TAG}
    targetImage: ${h.prod}/prod/${SERVICE}:${HOTFIX_TAG}
    sourceConnection: nonprod-registry
    azureSubscription: fabrikam-wif
${trustPolicy}
    lockTarget: true
`,
    },
  ];
}

export interface ConnectionSettings {
  readonly nonprod: string;
  readonly nonprodUser: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly subscriptionId: string;
  readonly authorityHost: string;
  readonly collectionUri: string;
  readonly projectId: string;
  readonly stagingKubeconfig: string;
  readonly productionKubeconfig: string;
}

/** The connections file (secrets by environment variable name: NONPROD_PASSWORD, SYSTEM_ACCESSTOKEN). */
export function connectionsYaml(c: ConnectionSettings): string {
  return `connections:
  nonprod-registry:
    type: dockerRegistry
    registry: http://${c.nonprod}
    username: ${c.nonprodUser}
    passwordEnv: NONPROD_PASSWORD
  fabrikam-wif:
    type: azureResourceManager
    authentication: workloadIdentityFederation
    tenantId: ${c.tenantId}
    clientId: ${c.clientId}
    subscriptionId: ${c.subscriptionId}
    subscriptionName: Fabrikam Delivery
    authorityHost: ${c.authorityHost}
  aks-staging:
    type: kubernetes
    kubeconfig: ${c.stagingKubeconfig}
  aks-production:
    type: kubernetes
    kubeconfig: ${c.productionKubeconfig}
oidc:
  collectionUri: ${c.collectionUri}
  projectId: ${c.projectId}
  accessTokenEnv: SYSTEM_ACCESSTOKEN
`;
}
