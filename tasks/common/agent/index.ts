// The agent layer's front door: the only code that talks to the agent (azure-pipelines-task-lib,
// azure-devops-node-api). Tasks read inputs, connections and variables, print, publish and end
// through it. ./azureConnection loads the Azure SDK: it is reached through azureConnectionCredential,
// which loads it on first use, never at start-up.
export { inputs } from './inputs';
export { agentVariable } from './variables';
export { azureConnectionCredential } from './azureCredential';
export {
  completeSignatureGate,
  keyVaultSigner,
  parseKeyReference,
  type KeyReference,
} from './keyVaultKeyAccess';
export { agentLogger } from './logger';
export { runTask, setTaskOutcome } from './runTask';
export { agentSecrets, knownSecrets, registerSecret } from './secrets';
export { publishArtifact, recordDone, setOutput, uploadSummary } from './summary';
export { agentHttpSettings } from './network';
export { defaultWorkingDirectory, literalPaths, lockFileFolders, matchInputFiles } from './workspaceFiles';
export { createRegistryClient } from './registryClient';
export { agentHelmRunner } from './helmRunner';
export { readHelmRegistryAccess, type HelmRegistryAccess } from './helmRegistrySignIn';
export { azureSubscriptionId, readKubernetesConnection } from './kubernetesConnection';
export { allowMultiLineVariables, keyVaultSecrets, setSecretVariables } from './secretVariables';
export { readPipelineRun } from './pipelineRun';
