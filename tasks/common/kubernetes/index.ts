// Kubernetes access, apart from driving Helm: kubeconfigs (parsing, the credentials they hold,
// service-account and AKS ones) and reading a cluster's events through the HTTP foundation.
export { fetchAksKubeconfig } from './aksCredentials';
export { apiAccess, recentWarnings, type ApiAccess, type ClusterEvent } from './kubeEvents';
export {
  kubeconfigSecrets,
  kubeconfigYaml,
  parseKubeconfig,
  replaceKubeloginUsers,
  serviceAccountKubeconfig,
  skipTlsVerify,
} from './kubeconfig';
