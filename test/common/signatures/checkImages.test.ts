// The gate over several images through the registry client, against a scripted registry serving a
// MemoryRegistry in any repository (no referrers API: `.sig` tags): images are verified several at
// once but never more than the gate's bound, and an image listed twice (same repository and
// digest) is read and verified once.
import assert from 'node:assert/strict';
import type http from 'node:http';
import { checkImages, prepareTrust, verifyImages } from '../../../tasks/common/signatures';
import { silentLogger } from '../../../tasks/common/log';
import { UserError } from '../../../tasks/common/errors';
import { scriptedServer, type ScriptedServer, type SeenRequest } from '../../emulators/scriptedServer';
import { testClient } from '../../support/registryTestClient';
import { attachSigTag, cosignKeyPair } from './cosignArtifacts';
import { MemoryRegistry, OCI_MANIFEST } from './memoryRegistry';

const key = cosignKeyPair();
const trust = prepareTrust({ cosignKeys: [{ name: 'cosign.pub', pem: key.publicPem }] });
/** How long each `.sig` tag read is held, so that reads made at once overlap. */
const HOLD_MS = 100;

describe('signatures: checking several images (bounded parallel, each digest once)', () => {
  let server: ScriptedServer | undefined;
  let memory: MemoryRegistry;
  let inFlight = 0;
  let maxInFlight = 0;
  afterEach(async () => server?.stop());

  /** Serves `memory` under any repository; `.sig` tag reads are held HOLD_MS and counted. */
  function serve(req: SeenRequest, res: http.ServerResponse): void {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/v2/') return void res.writeHead(200).end();
    const [, kind, ref = ''] = /^\/v2\/.+\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname) ?? [];
    const digest = kind === 'manifests' && !ref.includes(':') ? memory.tags.get(ref) : ref;
    const body = digest ? (kind === 'blobs' ? memory.blobs : memory.manifests).get(digest) : undefined;
    const answer = () => {
      if (!body) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"NOT_FOUND"}]}');
        return;
      }
      res
        .writeHead(200, {
          'content-type': kind === 'blobs' ? 'application/octet-stream' : OCI_MANIFEST,
          'content-length': body.length,
          'docker-content-digest': digest,
        })
        .end(req.method === 'HEAD' ? undefined : body);
    };
    if (!ref.endsWith('.sig')) return answer();
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    setTimeout(() => {
      inFlight--;
      answer();
    }, HOLD_MS);
  }

  beforeEach(async () => {
    memory = new MemoryRegistry();
    inFlight = 0;
    maxInFlight = 0;
    server = await scriptedServer(serve);
  });
  const sigReads = () => server!.seen.filter((r) => r.method === 'GET' && r.url.endsWith('.sig'));

  /** `count` signed images, each in its own repository. */
  function signedImages(count: number) {
    return Array.from({ length: count }, (_, i) => {
      const image = memory.pushImage(`${i}.0`, `image ${i}`);
      attachSigTag(memory, image.digest, key.privateKey);
      const repository = `team/app${i}`;
      return {
        reference: `${server!.host}/${repository}:${i}.0`,
        at: { registry: server!.host, repository },
        digest: image.digest,
      };
    });
  }

  it('verifies several images at once, at most 4 at a time, answering in the order given', async () => {
    const images = signedImages(7);
    const { verified, refused } = await checkImages(testClient(), images, trust, silentLogger);
    assert.deepEqual(refused, []);
    assert.deepEqual(
      verified.map((v) => v.reference),
      images.map((i) => i.reference),
    );
    assert.ok(maxInFlight > 1, `images were verified one after another (${maxInFlight} at once)`);
    assert.ok(maxInFlight <= 4, `${maxInFlight} images verified at once, more than the bound`);
  });

  it('reads and verifies an image listed twice in one repository once, and again in another repository', async () => {
    const [image] = signedImages(1);
    const again = { ...image!, reference: `${server!.host}/team/app0:latest` };
    const elsewhere = { ...image!, at: { ...image!.at, repository: 'team/mirror' } };
    const { verified } = await checkImages(testClient(), [image!, again, elsewhere], trust, silentLogger);
    assert.deepEqual(
      verified.map((v) => [v.reference, v.digest]),
      [image!, again, elsewhere].map((i) => [i.reference, i.digest]),
    );
    // Verified at once: the two repositories' reads come in either order.
    assert.deepEqual(
      sigReads()
        .map((r) => r.url.split('/manifests/')[0])
        .sort(),
      ['/v2/team/app0', '/v2/team/mirror'],
    );
  });

  it('an unsigned image listed twice is refused for both, its reason given once', async () => {
    const unsigned = memory.pushImage('u', 'unsigned');
    const at = { registry: server!.host, repository: 'team/unsigned' };
    const images = [
      { reference: `${server!.host}/team/unsigned:u`, at, digest: unsigned.digest },
      { reference: `${server!.host}/team/unsigned:latest`, at, digest: unsigned.digest },
    ];
    await assert.rejects(verifyImages(testClient(), images, trust, silentLogger), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.match(e.message, /^2 of 2 image\(s\) failed signature verification/);
      assert.equal(e.message.split('is not signed under the trust policy').length - 1, 1, e.message);
      return true;
    });
  });
});
