// The kubeconfig the emulator hands to clients: one cluster (server URL and CA data), one user
// (bearer token, or client certificate and key), one context, made current.
import YAML from 'yaml';

export interface KubeconfigOptions {
  /** The context's default namespace. */
  namespace?: string;
  /** The context's name; default `emulator`. */
  context?: string;
  /** `token` (default without clientCertAuth) or `clientCertificate` (default with it). */
  auth?: 'token' | 'clientCertificate';
}

export interface KubeconfigSource {
  readonly url: string;
  readonly caPem: string;
  readonly token: string;
  readonly client: { readonly certPem: string; readonly keyPem: string } | undefined;
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

export function buildKubeconfig(source: KubeconfigSource, options: KubeconfigOptions = {}): string {
  const context = options.context ?? 'emulator';
  const auth = options.auth ?? (source.client ? 'clientCertificate' : 'token');
  if (auth === 'clientCertificate' && !source.client) {
    throw new Error('start the emulator with clientCertAuth: true for a client-certificate kubeconfig');
  }
  const user =
    auth === 'clientCertificate' && source.client
      ? {
          'client-certificate-data': b64(source.client.certPem),
          'client-key-data': b64(source.client.keyPem),
        }
      : { token: source.token };
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'emulator', cluster: { server: source.url, 'certificate-authority-data': b64(source.caPem) } },
    ],
    users: [{ name: 'emulator-user', user }],
    contexts: [
      {
        name: context,
        context: {
          cluster: 'emulator',
          user: 'emulator-user',
          ...(options.namespace ? { namespace: options.namespace } : {}),
        },
      },
    ],
    'current-context': context,
    preferences: {},
  });
}
