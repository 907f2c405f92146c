// A Kubernetes API server emulator for tests: HTTPS on 127.0.0.1 with the test CA's certificate,
// bearer-token (and optionally client-certificate) authentication, discovery, OpenAPI, an object
// store with the verbs and patch types Helm 3, Helm 4 and kubectl use, watches, and controllers
// that make workloads ready. See README.md for what it does not do.
import crypto from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { clientCertificate, testCa } from '../testCertificates';
import { readRawBody } from './bodies';
import { Controllers } from './controllers';
import { ResourceHandlers } from './handlers';
import { buildKubeconfig, type KubeconfigOptions } from './kubeconfig';
import { ResourceCatalog } from './resources';
import { ApiError, sendError, statusBody, sendJson } from './responses';
import { route } from './router';
import { ObjectStore, resourceKey } from './store';

export interface KubernetesEmulatorOptions {
  /** Bearer token the server requires (ServiceAccount auth); default: a random one. */
  token?: string;
  /** Also accept a client certificate (made at start); kubeconfig() then uses it instead of the token. */
  clientCertAuth?: boolean;
  /** How long Deployments, StatefulSets, DaemonSets and Jobs take to become ready; default 200 ms. */
  readyDelayMs?: number;
  /** Names of workloads that never become ready, with a Warning Event (reason Failed, ImagePullBackOff). */
  failWorkloads?: string[];
}

export interface RecordedRequest {
  method: string;
  /** Path and query string as sent. */
  path: string;
  contentType?: string;
  /** The Accept header, when one was sent. */
  accept?: string;
  status: number;
}

export interface KubernetesEmulator {
  /** `https://127.0.0.1:PORT` */
  readonly url: string;
  /** The CA that signed the server certificate (the test CA shared by the emulators). */
  readonly caPem: string;
  readonly token: string;
  /** The client certificate and key kubeconfig() uses when clientCertAuth is on. */
  readonly clientCertificate?: { readonly certPem: string; readonly keyPem: string };
  /** A kubeconfig (YAML) with certificate-authority-data and the token (or client certificate). */
  kubeconfig(options?: KubeconfigOptions): string;
  /** A stored object, for assertions (a copy). */
  object(apiVersion: string, kind: string, namespace: string | undefined, name: string): unknown;
  /** Stored objects of a kind, in one namespace or all. */
  list(apiVersion: string, kind: string, namespace?: string): unknown[];
  /** Every answered request, oldest first (watches once they end). */
  requests(): RecordedRequest[];
  stop(): Promise<void>;
}

const DEFAULT_READY_DELAY_MS = 200;

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!m?.[1]) return false;
  const a = crypto.createHash('sha256').update(m[1].trim()).digest();
  const b = crypto.createHash('sha256').update(token).digest();
  return crypto.timingSafeEqual(a, b);
}

export async function startKubernetesEmulator(
  options: KubernetesEmulatorOptions = {},
): Promise<KubernetesEmulator> {
  const token = options.token ?? crypto.randomBytes(24).toString('base64url');
  const ca = await testCa();
  const client = options.clientCertAuth ? await clientCertificate('emulator-admin') : undefined;
  const store = new ObjectStore();
  const catalog = new ResourceCatalog();
  const handlers = new ResourceHandlers(store);
  const controllers = new Controllers(store, {
    readyDelayMs: options.readyDelayMs ?? DEFAULT_READY_DELAY_MS,
    failWorkloads: options.failWorkloads ?? [],
  });
  const crds = resourceKey({ group: 'apiextensions.k8s.io', plural: 'customresourcedefinitions' });
  store.subscribe((e) => {
    if (e.resource === crds) catalog.setCustomResourceDefinitions(store.list(crds));
  });
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    store.create('/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  }
  const log: RecordedRequest[] = [];
  let serverAddress = '';

  const server = https.createServer(
    {
      cert: ca.localhost.certPem,
      key: ca.localhost.keyPem,
      ...(client ? { ca: [client.certPem], requestCert: true, rejectUnauthorized: false } : {}),
    },
    (req, res) => {
      const contentType = req.headers['content-type'];
      const entry = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        ...(contentType ? { contentType } : {}),
      };
      let logged = false;
      const record = () => {
        if (!logged) log.push({ ...entry, status: res.statusCode });
        logged = true;
      };
      res.on('finish', record);
      res.on('close', record);
      const certOk = client !== undefined && (req.socket as TLSSocket).authorized;
      if (!certOk && !tokenMatches(req.headers.authorization, token)) {
        sendJson(res, 401, statusBody(401, 'Unauthorized', 'Unauthorized'));
        req.resume();
        return;
      }
      readRawBody(req)
        .then((body) => {
          const url = new URL(req.url ?? '/', 'https://emulator.invalid');
          route(
            { catalog, handlers, serverAddress },
            { req, res, query: url.searchParams, body },
            url.pathname,
          );
        })
        .catch((err: unknown) => {
          if (res.headersSent) res.destroy();
          else if (err instanceof ApiError) sendError(res, err);
          else
            sendError(
              res,
              new ApiError(500, `emulator error: ${err instanceof Error ? err.stack : String(err)}`),
            );
        });
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  serverAddress = `127.0.0.1:${port}`;
  const url = `https://${serverAddress}`;

  const keyOf = (apiVersion: string, kind: string) => {
    const type = catalog.byKind(apiVersion, kind);
    if (!type) throw new Error(`the emulator does not serve ${apiVersion} ${kind}`);
    return resourceKey(type);
  };

  return {
    url,
    caPem: ca.certPem,
    token,
    ...(client ? { clientCertificate: { certPem: client.certPem, keyPem: client.keyPem } } : {}),
    kubeconfig: (kubeconfigOptions = {}) =>
      buildKubeconfig({ url, caPem: ca.certPem, token, client }, kubeconfigOptions),
    object: (apiVersion, kind, namespace, name) => store.get(keyOf(apiVersion, kind), namespace, name),
    list: (apiVersion, kind, namespace) => store.list(keyOf(apiVersion, kind), namespace),
    requests: () => log.map((r) => ({ ...r })),
    async stop() {
      controllers.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type { KubeconfigOptions };
