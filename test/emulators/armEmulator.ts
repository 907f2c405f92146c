// An Azure Resource Manager emulator for what the extension and the classic editor ask of ARM:
// subscription-wide and resource-group lists of AKS clusters, container registries and Key Vaults
// (paged with `$skipToken` and `nextLink`, as ARM pages them), resource groups, and the AKS
// credential calls (`listClusterUserCredential`, `listClusterAdminCredential`). Paths are
// case-insensitive and tolerate the `//subscriptions` an `{{endpoint.url}}/subscriptions` template
// makes of an endpoint URL ending in `/`, as ARM does; every call needs a bearer token the test
// accepts and an `api-version`.
import type http from 'node:http';
import { sendJson } from './httpUtil';
import { startHttpsServer, type RunningHttpsServer } from './httpsServer';

export interface ArmResourceGroup {
  readonly name: string;
  readonly location?: string;
  readonly managedClusters?: readonly string[];
  /** Registry names; the login server is `<name lower-cased>.azurecr.io` unless given. */
  readonly registries?: readonly (string | { readonly name: string; readonly loginServer: string })[];
  readonly keyVaults?: readonly string[];
}

export interface ArmSubscription {
  readonly id: string;
  readonly resourceGroups: readonly ArmResourceGroup[];
}

export interface ArmEmulatorOptions {
  readonly subscriptions: readonly ArmSubscription[];
  /** Whether a bearer token is one ARM would accept. */
  readonly authorized: (bearer: string) => boolean;
  /** Items per page of a list (ARM's pages are larger; small pages make paging visible). */
  readonly pageSize?: number;
  /** The kubeconfig a credential call returns for a cluster; without it those calls answer 404. */
  readonly kubeconfig?: (cluster: {
    subscription: string;
    resourceGroup: string;
    name: string;
    admin: boolean;
  }) => string;
}

export interface ArmCall {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly authorized: boolean;
}

export interface ArmEmulator {
  readonly server: RunningHttpsServer;
  /** `https://127.0.0.1:<port>/`: with the trailing slash, like an AzureRM connection's URL. */
  readonly url: string;
  readonly calls: readonly ArmCall[];
  stop(): Promise<void>;
}

type Kind = 'managedclusters' | 'registries' | 'vaults';
const PROVIDERS: Record<Kind, string> = {
  managedclusters: 'Microsoft.ContainerService/managedClusters',
  registries: 'Microsoft.ContainerRegistry/registries',
  vaults: 'Microsoft.KeyVault/vaults',
};

interface Resource {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly location: string;
  readonly properties: Record<string, string>;
}

function resourcesOf(sub: ArmSubscription, group: ArmResourceGroup, kind: Kind): Resource[] {
  const location = group.location ?? 'westeurope';
  const make = (name: string, properties: Record<string, string>): Resource => ({
    id: `/subscriptions/${sub.id}/resourceGroups/${group.name}/providers/${PROVIDERS[kind]}/${name}`,
    name,
    type: PROVIDERS[kind],
    location,
    properties,
  });
  if (kind === 'managedclusters')
    return (group.managedClusters ?? []).map((n) =>
      make(n, { provisioningState: 'Succeeded', fqdn: `${n}-dns.hcp.${location}.azmk8s.io` }),
    );
  if (kind === 'vaults')
    return (group.keyVaults ?? []).map((n) => make(n, { vaultUri: `https://${n}.vault.azure.net/` }));
  return (group.registries ?? []).map((r) =>
    typeof r === 'string'
      ? make(r, { loginServer: `${r.toLowerCase()}.azurecr.io` })
      : make(r.name, { loginServer: r.loginServer }),
  );
}

const notFound = (res: http.ServerResponse, code: string, message: string) =>
  sendJson(res, 404, { error: { code, message } });

export async function startArmEmulator(options: ArmEmulatorOptions): Promise<ArmEmulator> {
  const calls: ArmCall[] = [];
  const pageSize = options.pageSize ?? 100;
  let base = '';

  /** One page of `items` from `$skipToken` on, with a nextLink to the rest like ARM's. */
  const page = (res: http.ServerResponse, url: URL, items: readonly unknown[]) => {
    const token = url.searchParams.get('$skipToken') ?? '';
    const start = token === '' ? 0 : Number(Buffer.from(token, 'base64url').toString('utf8'));
    if (!Number.isInteger(start) || start < 0)
      return sendJson(res, 400, {
        error: { code: 'InvalidSkipToken', message: `$skipToken '${token}' is invalid.` },
      });
    const end = start + pageSize;
    const body: { value: unknown[]; nextLink?: string } = { value: items.slice(start, end) };
    if (end < items.length) {
      const next = new URL(url.pathname, base);
      next.searchParams.set('api-version', url.searchParams.get('api-version') ?? '');
      next.searchParams.set('$skipToken', Buffer.from(String(end), 'utf8').toString('base64url'));
      body.nextLink = next.href;
    }
    sendJson(res, 200, body);
  };

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    // `//subscriptions/...` would read as a protocol-relative URL: collapse the slashes first.
    const url = new URL((req.url ?? '/').replace(/^\/+/, '/'), 'https://arm.invalid');
    const path = url.pathname;
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const authorized = bearer !== '' && options.authorized(bearer);
    calls.push({ method: req.method ?? '', path, query: url.search, authorized });
    req.resume();
    if (!authorized)
      return sendJson(res, 401, {
        error: { code: 'InvalidAuthenticationToken', message: 'The access token is missing or invalid.' },
      });
    if (!url.searchParams.get('api-version'))
      return sendJson(res, 400, {
        error: {
          code: 'MissingApiVersionParameter',
          message: 'The api-version query parameter (?api-version=) is required.',
        },
      });
    const parts = path.split('/').filter(Boolean);
    const lower = parts.map((p) => p.toLowerCase());
    if (lower[0] !== 'subscriptions' || !parts[1])
      return notFound(res, 'ResourceNotFound', `No route for ${path}.`);
    const sub = options.subscriptions.find((s) => s.id.toLowerCase() === lower[1]);
    if (!sub)
      return notFound(res, 'SubscriptionNotFound', `The subscription '${parts[1]}' could not be found.`);
    const rest = lower.slice(2);
    const kindAt = (i: number): Kind | undefined => {
      const provider = `${rest[i] ?? ''}/${rest[i + 1] ?? ''}`;
      return (Object.keys(PROVIDERS) as Kind[]).find((k) => PROVIDERS[k].toLowerCase() === provider);
    };

    // GET /subscriptions/{s}/resourcegroups
    if (req.method === 'GET' && rest.length === 1 && rest[0] === 'resourcegroups')
      return page(
        res,
        url,
        sub.resourceGroups.map((g) => ({
          id: `/subscriptions/${sub.id}/resourceGroups/${g.name}`,
          name: g.name,
          location: g.location ?? 'westeurope',
        })),
      );
    // GET /subscriptions/{s}/providers/{provider}/{type}
    if (req.method === 'GET' && rest.length === 3 && rest[0] === 'providers') {
      const kind = kindAt(1);
      if (!kind) return notFound(res, 'ResourceNotFound', `No route for ${path}.`);
      return page(
        res,
        url,
        sub.resourceGroups.flatMap((g) => resourcesOf(sub, g, kind)),
      );
    }
    if (rest[0] !== 'resourcegroups' || !rest[1])
      return notFound(res, 'ResourceNotFound', `No route for ${path}.`);
    const group = sub.resourceGroups.find((g) => g.name.toLowerCase() === rest[1]);
    if (!group)
      return notFound(res, 'ResourceGroupNotFound', `Resource group '${parts[3] ?? ''}' could not be found.`);
    const kind = rest[2] === 'providers' ? kindAt(3) : undefined;
    if (!kind) return notFound(res, 'ResourceNotFound', `No route for ${path}.`);
    const resources = resourcesOf(sub, group, kind);
    // GET /subscriptions/{s}/resourceGroups/{g}/providers/{provider}/{type}
    if (req.method === 'GET' && rest.length === 5) return page(res, url, resources);
    // POST .../managedClusters/{name}/listCluster(User|Admin)Credential
    const action = rest[6];
    if (
      req.method === 'POST' &&
      kind === 'managedclusters' &&
      rest.length === 7 &&
      (action === 'listclusterusercredential' || action === 'listclusteradmincredential')
    ) {
      const cluster = resources.find((r) => r.name.toLowerCase() === rest[5]);
      if (!cluster || !options.kubeconfig)
        return notFound(res, 'ResourceNotFound', `The managed cluster '${parts[7] ?? ''}' was not found.`);
      const admin = action === 'listclusteradmincredential';
      const kubeconfig = options.kubeconfig({
        subscription: sub.id,
        resourceGroup: group.name,
        name: cluster.name,
        admin,
      });
      return sendJson(res, 200, {
        kubeconfigs: [
          {
            name: admin ? 'clusterAdmin' : 'clusterUser',
            value: Buffer.from(kubeconfig, 'utf8').toString('base64'),
          },
        ],
      });
    }
    return notFound(res, 'ResourceNotFound', `No route for ${req.method ?? ''} ${path}.`);
  };

  const server = await startHttpsServer(handler);
  base = `${server.url}/`;
  return { server, url: base, calls, stop: () => server.stop() };
}
