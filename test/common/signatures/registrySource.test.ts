// The gate's ArtifactSource over the registry client, against a scripted registry serving a
// MemoryRegistry: the referrers API where the registry has it (the real fixture, distribution 2.8,
// has none), the sha256-<hex> fallback index where it answers 404, hostile digests and blob sizes.
import assert from 'node:assert/strict';
import type http from 'node:http';
import {
  mediaTypes,
  registryArtifactSource,
  SIGNATURE_BLOB_LIMIT,
  verifyImage,
  type TrustPolicy,
} from '../../../tasks/common/signatures';
import { UserError } from '../../../tasks/common/errors';
import { scriptedServer, type ScriptedServer, type SeenRequest } from '../../emulators/scriptedServer';
import { testClient } from '../../support/registryTestClient';
import { attachBundle, attachSigTag, cosignKeyPair, keyedDsseBundle, statement } from './cosignArtifacts';
import { MemoryRegistry, OCI_MANIFEST } from './memoryRegistry';

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const SIGN = mediaTypes.COSIGN_SIGN_PREDICATE;
const REPO = 'team/app';

/** A registry answering from `memory`; the referrers API only when `api` is true. */
function serve(memory: MemoryRegistry, api: boolean) {
  return (req: SeenRequest, res: http.ServerResponse): void => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/v2/') return void res.writeHead(200).end();
    const [, kind, ref = ''] =
      /^\/v2\/team\/app\/(referrers|manifests|blobs)\/(.+)$/.exec(url.pathname) ?? [];
    const json = (type: string, body: Buffer, digest?: string) =>
      void res
        .writeHead(200, {
          'content-type': type,
          'content-length': body.length,
          ...(digest ? { 'docker-content-digest': digest } : {}),
        })
        .end(req.method === 'HEAD' ? undefined : body);
    if (kind === 'referrers' && api) {
      void memory.referrers(ref).then((manifests) => {
        json(OCI_INDEX, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests })));
      });
      return;
    }
    if (kind === 'manifests') {
      const digest = ref.includes(':') ? ref : memory.tags.get(ref);
      const body = digest ? memory.manifests.get(digest) : undefined;
      if (digest && body) {
        const type = (JSON.parse(body.toString()) as { mediaType?: string }).mediaType ?? OCI_MANIFEST;
        return json(type, body, digest);
      }
    }
    const blob = kind === 'blobs' ? memory.blobs.get(ref) : undefined;
    if (blob) return json('application/octet-stream', blob);
    res
      .writeHead(404, { 'content-type': 'application/json' })
      .end(JSON.stringify({ errors: [{ code: 'NOT_FOUND' }] }));
  };
}

/** The OCI fallback index `sha256-<hex>` listing the referrers of `digest`, as clients write it. */
async function writeFallbackIndex(memory: MemoryRegistry, digest: string): Promise<void> {
  const manifests = await memory.referrers(digest);
  memory.putManifest({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }, digest.replace(':', '-'));
}

describe('signatures: the registry ArtifactSource (referrers API, fallback tag, limits)', () => {
  let server: ScriptedServer | undefined;
  afterEach(async () => server?.stop());
  const key = cosignKeyPair();
  const policy: TrustPolicy = { cosignKeys: [{ name: 'cosign.pub', pem: key.publicPem }] };

  async function signedRegistry(api: boolean) {
    const memory = new MemoryRegistry();
    const image = memory.pushImage('1.0');
    attachBundle(memory, image, keyedDsseBundle(key, statement(image.digest, SIGN)), SIGN);
    server = await scriptedServer(serve(memory, api));
    const at = { registry: server.host, repository: REPO };
    return { memory, image, at, server };
  }
  const paths = (s: ScriptedServer) => s.seen.map((r) => `${r.method} ${r.url}`);

  it('finds a Sigstore bundle through the referrers API, without asking for the fallback tag', async () => {
    const { image, at, server: s } = await signedRegistry(true);
    const client = testClient();
    const verified = await verifyImage(
      { reference: `${s.host}/${REPO}:1.0`, digest: image.digest },
      policy,
      registryArtifactSource(client, at),
    );
    assert.match(verified.accepted.where, /^referrer sha256:[0-9a-f]+ \(Sigstore bundle\)$/);
    assert.ok(paths(s).includes(`GET /v2/${REPO}/referrers/${image.digest}`), paths(s).join('\n'));
    assert.ok(
      !paths(s).some((p) => p.includes(`manifests/sha256-`) && !p.endsWith('.sig') && !p.endsWith('.att')),
    );
  });

  it('falls back to the sha256-<hex> index when the registry has no referrers API, and asks the API once', async () => {
    const { memory, image, at, server: s } = await signedRegistry(false);
    await writeFallbackIndex(memory, image.digest);
    const client = testClient();
    const source = registryArtifactSource(client, at);
    const found = await source.referrers(image.digest);
    assert.equal(found.length, 1);
    assert.equal(found[0]?.artifactType, mediaTypes.SIGSTORE_BUNDLE_V03);
    await source.referrers(image.digest);
    assert.equal(paths(s).filter((p) => p.includes('/referrers/')).length, 1, paths(s).join('\n'));
    assert.equal(
      paths(s).filter((p) => p.endsWith(`/manifests/${image.digest.replace(':', '-')}`)).length,
      2,
    );
  });

  it('refuses a fallback index naming an invalid digest (the registry layer parses it): nothing reaches a request path', async () => {
    const memory = new MemoryRegistry();
    const image = memory.pushImage('1.0');
    memory.putManifest(
      {
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [
          {
            mediaType: OCI_MANIFEST,
            digest: '../../../v2/_catalog',
            size: 1,
            artifactType: mediaTypes.SIGSTORE_BUNDLE_V03,
          },
        ],
      },
      image.digest.replace(':', '-'),
    );
    server = await scriptedServer(serve(memory, false));
    const source = registryArtifactSource(testClient(), { registry: server.host, repository: REPO });
    const err = await source.referrers(image.digest).then(
      () => assert.fail('the index was accepted'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof UserError && err.message.includes('invalid digest'), String(err));
    assert.ok(!server.seen.some((r) => r.url.includes('_catalog')));
  });

  it('refuses a signature blob over the size limit instead of reading it', async () => {
    const memory = new MemoryRegistry();
    const image = memory.pushImage('1.0');
    const layer = attachSigTag(memory, image.digest, key.privateKey);
    memory.blobs.set(layer.digest, Buffer.alloc(SIGNATURE_BLOB_LIMIT + 1, 0x20));
    server = await scriptedServer(serve(memory, false));
    const source = registryArtifactSource(testClient({}, { maxRetries: 0 }), {
      registry: server.host,
      repository: REPO,
    });
    const err = await source.blob(layer.digest).then(
      () => assert.fail('an oversized blob was read'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof UserError, String(err));
  });
});
