// A fake Visual Studio Marketplace (gallery REST API) over HTTPS on 127.0.0.1, enough for
// `tfx extension publish --service-url <url>`: the area's resource locations (OPTIONS), get,
// create and update an extension (the .vsix as the request body, or as base64 in the compat JSON
// form tfx uses for any gallery but marketplace.visualstudio.com) and share it with an
// organization. Every request must carry `Authorization: Basic base64(<any>:<token>)` with a token
// `acceptToken` accepts (as tfx sends a PAT or an Entra ID token); it records what was uploaded
// (identity read from the package's extension.vsixmanifest) and shared, and refuses a version that
// does not increase, as the Marketplace does.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { toolPath } from '../support/tools';
import { startHttpsServer } from './httpsServer';
import { requestUrl, sendJson } from './httpUtil';

export interface MarketplaceUpload {
  readonly operation: 'create' | 'update';
  readonly publisher: string;
  readonly extensionId: string;
  readonly version: string;
  /** `Public` or `Preview` ... from the manifest's GalleryFlags, space separated. */
  readonly galleryFlags: string;
  readonly bytes: number;
  /** The uploaded package's extension.vsixmanifest. */
  readonly manifestXml: string;
}

export interface MarketplaceShare {
  readonly publisher: string;
  readonly extensionId: string;
  readonly organization: string;
}

export interface MarketplaceEmulatorOptions {
  /** Whether a bearer of this token may publish; called for every request. */
  readonly acceptToken: (token: string) => boolean;
  /** Called while an upload request is being answered (the client is still running). */
  readonly duringUpload?: () => void;
}

export interface MarketplaceEmulator {
  readonly url: string;
  readonly caFile: string;
  readonly uploads: MarketplaceUpload[];
  readonly shares: MarketplaceShare[];
  /** Requests refused with 401, by path. */
  readonly refused: string[];
  stop(): Promise<void>;
}

const AREA = 'gallery';
// Location ids tfx's GalleryApi asks for; the route templates are this emulator's own.
const LOCATIONS = [
  { id: 'a41192c8-9525-4b58-bc86-179fa549d80d', routeTemplate: '_apis/{area}/extensions' },
  {
    id: 'e11ea35a-16fe-4b80-ab11-c4cab88a0966',
    routeTemplate: '_apis/{area}/publishers/{publisherName}/extensions/{extensionName}',
  },
  {
    id: 'a1e66d8f-f5de-4d16-8309-91a4e015ee46',
    routeTemplate:
      '_apis/{area}/publishers/{publisherName}/extensions/{extensionName}/share/accounts/{accountName}',
  },
].map((l) => ({
  ...l,
  area: AREA,
  resourceName: 'extensions',
  routeTemplate: l.routeTemplate,
  resourceVersion: 2,
  minVersion: '1.0',
  maxVersion: '7.2',
  releasedVersion: '0.0',
}));

function bearerToken(req: http.IncomingMessage): string | undefined {
  const match = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

async function readBytes(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The identity and gallery flags in a .vsix's extension.vsixmanifest. */
function readPackage(bytes: Buffer): Omit<MarketplaceUpload, 'operation'> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-market-'));
  try {
    const file = path.join(dir, 'upload.vsix');
    fs.writeFileSync(file, bytes);
    const r = spawnSync(toolPath('UNZIP_BIN'), ['-p', file, 'extension.vsixmanifest'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`the upload is not a .vsix: ${r.stderr}`);
    const xml = r.stdout;
    const attr = (name: string) => new RegExp(`<Identity [^>]*\\b${name}="([^"]*)"`).exec(xml)?.[1] ?? '';
    return {
      publisher: attr('Publisher'),
      extensionId: attr('Id'),
      version: attr('Version'),
      galleryFlags: /<GalleryFlags>([^<]*)<\/GalleryFlags>/.exec(xml)?.[1] ?? '',
      bytes: bytes.length,
      manifestXml: xml,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const newer = (a: string, b: string) => {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i++) if ((x?.[i] ?? 0) !== (y?.[i] ?? 0)) return (x?.[i] ?? 0) > (y?.[i] ?? 0);
  return false;
};

export async function startMarketplaceEmulator(
  options: MarketplaceEmulatorOptions,
): Promise<MarketplaceEmulator> {
  const uploads: MarketplaceUpload[] = [];
  const shares: MarketplaceShare[] = [];
  const refused: string[] = [];
  /** publisher/extension -> published versions, newest last. */
  const published = new Map<string, { version: string; lastUpdated: string }[]>();

  const extensionJson = (publisher: string, extensionId: string) => ({
    publisher: { publisherName: publisher },
    extensionName: extensionId,
    versions: [...(published.get(`${publisher}/${extensionId}`) ?? [])]
      .reverse()
      .map((v) => ({ ...v, flags: 1 /* Validated */ })),
  });

  async function upload(req: http.IncomingMessage, res: http.ServerResponse, route?: [string, string]) {
    const body = await readBytes(req);
    // The Marketplace takes the .vsix as the body; tfx sends any other gallery (Azure DevOps
    // Server's) the compat JSON form {extensionManifest: <base64 .vsix>}.
    const json = /json/.test(req.headers['content-type'] ?? '');
    const pkg = readPackage(
      json
        ? Buffer.from(
            (JSON.parse(body.toString('utf8')) as { extensionManifest: string }).extensionManifest,
            'base64',
          )
        : body,
    );
    if (route && (route[0] !== pkg.publisher || route[1] !== pkg.extensionId)) {
      sendJson(res, 400, {
        message: `the package is ${pkg.publisher}.${pkg.extensionId}, not ${route.join('.')}`,
      });
      return;
    }
    const key = `${pkg.publisher}/${pkg.extensionId}`;
    const versions = published.get(key) ?? [];
    const latest = versions.at(-1)?.version;
    if (latest !== undefined && !newer(pkg.version, latest)) {
      sendJson(res, 409, {
        message: `Version number must increase each time an extension is published. Extension: ${key} Current version: ${latest} Updated version: ${pkg.version}`,
      });
      return;
    }
    options.duringUpload?.();
    published.set(key, [...versions, { version: pkg.version, lastUpdated: new Date().toISOString() }]);
    uploads.push({ operation: route ? 'update' : 'create', ...pkg });
    sendJson(res, 200, extensionJson(pkg.publisher, pkg.extensionId));
  }

  const server = await startHttpsServer(async (req, res) => {
    const url = requestUrl(req);
    const token = bearerToken(req);
    if (token === undefined || !options.acceptToken(token)) {
      refused.push(url.pathname);
      await readBytes(req);
      sendJson(res, 401, { message: 'TF400813: The user is not authorized to access this resource.' });
      return;
    }
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (req.method === 'OPTIONS' && url.pathname === `/_apis/${AREA}`) {
      sendJson(res, 200, { count: LOCATIONS.length, value: LOCATIONS });
      return;
    }
    // _apis/gallery/extensions
    if (req.method === 'POST' && parts.length === 3 && parts[2] === 'extensions') {
      await upload(req, res);
      return;
    }
    // _apis/gallery/publishers/{p}/extensions/{e}[/share/accounts/{org}]
    const [, , pubWord, publisher = '', extWord, extensionId = '', shareWord, , organization = ''] = parts;
    if (pubWord === 'publishers' && extWord === 'extensions') {
      const key = `${publisher}/${extensionId}`;
      if (parts.length === 6 && req.method === 'GET') {
        if (!published.has(key)) sendJson(res, 404, { message: `Extension ${key} does not exist.` });
        else sendJson(res, 200, extensionJson(publisher, extensionId));
        return;
      }
      if (parts.length === 6 && req.method === 'PUT') {
        await upload(req, res, [publisher, extensionId]);
        return;
      }
      if (parts.length === 9 && shareWord === 'share' && req.method === 'POST') {
        if (!published.has(key)) {
          sendJson(res, 404, { message: `Extension ${key} does not exist.` });
          return;
        }
        shares.push({ publisher, extensionId, organization });
        res.writeHead(204).end();
        return;
      }
    }
    sendJson(res, 404, { message: `no route ${req.method ?? ''} ${url.pathname}` });
  });
  return {
    url: server.url,
    caFile: server.caFile,
    uploads,
    shares,
    refused,
    stop: () => server.stop(),
  };
}
