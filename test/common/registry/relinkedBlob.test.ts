// A manifest PUT refused for a blob that reads as unknown while another run commits the same blob
// (the CNCF registry rewrites the repository's blob link in place): after the copy confirmed its
// blobs, the PUT is sent again after a short wait; without that confirmation, or when the blob
// stays unknown, the refusal is the answer.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type http from 'node:http';
import { imageIn, pushManifest, RegistryError } from '../../../tasks/common/registry';
import { OCI_MANIFEST } from '../../../tasks/common/registry/mediaTypes';
import { RELINKED_BLOB_WAITS_MS } from '../../../tasks/common/net/retry';
import { scriptedServer, type ScriptedServer, type SeenRequest } from '../../emulators/scriptedServer';
import { testClient } from '../../support/registryTestClient';

const manifest = {
  mediaType: OCI_MANIFEST,
  body: Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, layers: [] })),
};
const digest = `sha256:${crypto.createHash('sha256').update(manifest.body).digest('hex')}`;

/** distribution's answer when a blob of the manifest is not linked in the repository. */
function blobUnknown(res: http.ServerResponse): void {
  res.writeHead(400, { 'content-type': 'application/json' }).end(
    JSON.stringify({
      errors: [
        { code: 'DIGEST_INVALID', message: 'provided digest did not match uploaded content' },
        { code: 'MANIFEST_BLOB_UNKNOWN', message: 'blob unknown to registry' },
      ],
    }),
  );
}

describe('registry: a manifest pushed while its blob is being re-linked', function () {
  let server: ScriptedServer | undefined;
  afterEach(async () => server?.stop());

  /** A registry refusing the first `refusals` manifest PUTs with blob-unknown, then storing it. */
  async function registry(refusals: number): Promise<ScriptedServer> {
    let refused = 0;
    server = await scriptedServer((req: SeenRequest, res) => {
      if (req.method === 'GET' && req.url === '/v2/') return void res.writeHead(200).end();
      if (req.method !== 'PUT') return void res.writeHead(404).end();
      if (refused < refusals) {
        refused += 1;
        return blobUnknown(res);
      }
      res.writeHead(201, { 'docker-content-digest': digest }).end();
    });
    return server;
  }
  const puts = (s: ScriptedServer) => s.seen.filter((r) => r.method === 'PUT').length;

  it('is sent again once the blobs were confirmed, and lands', async () => {
    const s = await registry(2);
    const client = testClient({}, { maxRetries: 0 });
    try {
      const at = imageIn({ registry: s.host, repository: 'team/app' }, { tag: 'v1' });
      const pushed = await pushManifest(client.http, at, manifest, { blobsConfirmed: true });
      assert.equal(pushed.digest, digest);
      assert.equal(puts(s), 3);
    } finally {
      client.close();
    }
  });

  it('is refused at once when nothing confirmed the blobs', async () => {
    const s = await registry(1);
    const client = testClient({}, { maxRetries: 0 });
    try {
      const at = imageIn({ registry: s.host, repository: 'team/app' }, { tag: 'v1' });
      await assert.rejects(pushManifest(client.http, at, manifest), (err: unknown) => {
        assert.ok(err instanceof RegistryError);
        assert.deepEqual(err.details.codes, ['DIGEST_INVALID', 'MANIFEST_BLOB_UNKNOWN']);
        return true;
      });
      assert.equal(puts(s), 1);
    } finally {
      client.close();
    }
  });

  it('fails naming the blob-unknown answer when the blob stays unknown after the last wait', async () => {
    const s = await registry(Number.MAX_SAFE_INTEGER);
    const client = testClient({}, { maxRetries: 0 });
    try {
      const at = imageIn({ registry: s.host, repository: 'team/app' }, { tag: 'v1' });
      await assert.rejects(
        pushManifest(client.http, at, manifest, { blobsConfirmed: true }),
        /push manifest v1 .*MANIFEST_BLOB_UNKNOWN/,
      );
      assert.equal(puts(s), RELINKED_BLOB_WAITS_MS.length + 1);
    } finally {
      client.close();
    }
  });
});
