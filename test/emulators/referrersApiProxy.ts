// A registry with the OCI 1.1 referrers API: a pass-through proxy in front of the distribution 2.8
// fixture (which has none) that does what an OCI 1.1 registry does on a manifest PUT: a manifest
// carrying `subject`, once stored, is indexed under its subject and answered with `OCI-Subject`;
// `GET /v2/<name>/referrers/<digest>` lists the indexed descriptors as an OCI index (filtered by
// `?artifactType=`, answered with `OCI-Filters-Applied`). Everything else passes unchanged, Host
// header kept so upload Locations point back here.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReferrersApiProxy {
  /** '127.0.0.1:PORT' */
  readonly host: string;
  /** Referrers API requests answered. */
  readonly listings: string[];
  close(): Promise<void>;
}

interface Indexed {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

export async function startReferrersApiProxy(upstreamPort: number): Promise<ReferrersApiProxy> {
  const index = new Map<string, Indexed[]>(); // `<name>@<subject digest>` -> referrers
  const listings: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy.invalid');
    const referrers = /^\/v2\/(.+)\/referrers\/(sha256:[0-9a-f]{64})$/.exec(url.pathname);
    if (req.method === 'GET' && referrers) {
      listings.push(url.pathname);
      const wanted = url.searchParams.get('artifactType');
      const all = index.get(`${referrers[1]}@${referrers[2]}`) ?? [];
      const manifests = wanted ? all.filter((d) => d.artifactType === wanted) : all;
      const body = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests });
      res.writeHead(200, {
        'content-type': OCI_INDEX,
        'content-length': Buffer.byteLength(body),
        ...(wanted ? { 'oci-filters-applied': 'artifactType' } : {}),
      });
      return void res.end(body);
    }
    const manifestPut = req.method === 'PUT' ? /^\/v2\/(.+)\/manifests\/[^/]+$/.exec(url.pathname) : null;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const upstream = http.request(
        { host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          const headers = { ...up.headers };
          if (manifestPut && (up.statusCode === 201 || up.statusCode === 200)) {
            const m = JSON.parse(body.toString('utf8')) as {
              subject?: { digest: string };
              artifactType?: string;
              config?: { mediaType?: string };
              annotations?: Record<string, string>;
              mediaType?: string;
            };
            if (m.subject) {
              const key = `${manifestPut[1]}@${m.subject.digest}`;
              const digest = `sha256:${crypto.createHash('sha256').update(body).digest('hex')}`;
              const listed = (index.get(key) ?? []).filter((d) => d.digest !== digest);
              const artifactType = m.artifactType ?? m.config?.mediaType;
              listed.push({
                mediaType: m.mediaType ?? String(req.headers['content-type']),
                digest,
                size: body.length,
                ...(artifactType ? { artifactType } : {}),
                ...(m.annotations ? { annotations: m.annotations } : {}),
              });
              index.set(key, listed);
              headers['oci-subject'] = m.subject.digest;
            }
          }
          res.writeHead(up.statusCode ?? 502, headers);
          up.pipe(res);
        },
      );
      upstream.on('error', (err) => {
        if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
        res.end(`referrers proxy: ${err.message}`);
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    listings,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
