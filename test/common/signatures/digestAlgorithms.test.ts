// Signature content named by a digest other than sha256: sha384 and sha512 are computed and
// checked like sha256; another algorithm is refused as unsupported, never taken unchecked.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { cosignTag, verifyImage, type Candidate, type TrustPolicy } from '../../../tasks/common/signatures';
import { rejectionMessage } from '../../support/failureMessages';
import { attachSigTag, cosignKeyPair, simpleSigningPayload } from './cosignArtifacts';
import { MemoryRegistry } from './memoryRegistry';

const signer = cosignKeyPair();
const policy: TrustPolicy = { cosignKeys: [{ name: 'cosign.pub', pem: signer.publicPem }] };
const ref = 'registry.example/app:1.0';
const hashed = (algorithm: string, bytes: Buffer) =>
  `${algorithm}:${crypto.createHash(algorithm).update(bytes).digest('hex')}`;

describe('signatures: digests other than sha256', () => {
  let registry: MemoryRegistry;
  let image: ReturnType<MemoryRegistry['pushImage']>;

  beforeEach(() => {
    registry = new MemoryRegistry();
    image = registry.pushImage('1.0');
  });

  /**
   * A valid `.sig` signature whose layer is named by `digest` instead of its sha256 digest, the
   * layer's bytes stored under that name.
   */
  function sigLayerNamed(digest: (payload: Buffer) => string): string {
    const layer = attachSigTag(registry, image.digest, signer.privateKey);
    const payload = registry.blobs.get(layer.digest) as Buffer;
    const tag = cosignTag(image.digest, 'sig');
    const manifest = JSON.parse(registry.manifests.get(registry.tags.get(tag)!)!.toString('utf8')) as {
      layers: { digest: string }[];
    };
    const named = digest(payload);
    manifest.layers[0]!.digest = named;
    registry.blobs.set(named, payload);
    registry.putManifest(manifest, tag);
    return named;
  }
  const reasons = (rejected: readonly Candidate[]) =>
    rejected.map((c) => (c.verdict.ok ? 'ok' : c.verdict.reason));

  it('verifies content named by sha384 or sha512 digests', async () => {
    for (const algorithm of ['sha384', 'sha512']) {
      registry = new MemoryRegistry();
      image = registry.pushImage('1.0');
      const named = sigLayerNamed((p) => hashed(algorithm, p));
      const result = await verifyImage({ reference: ref, digest: image.digest }, policy, registry);
      assert.equal(result.accepted.kind, 'cosign key', named);
    }
  });

  it('refuses content that does not hash to its sha512 digest as tampered, even when its signature verifies', async () => {
    const named = sigLayerNamed(() => hashed('sha512', Buffer.from('other content')));
    const message = await rejectionMessage(
      verifyImage({ reference: ref, digest: image.digest }, policy, registry),
    );
    assert.ok(message.includes(`tampered - blob ${named} hashes to sha512:`), message);
  });

  it('refuses content named by an algorithm it cannot compute, saying so', async () => {
    const named = sigLayerNamed((p) => hashed('md5', p));
    const message = await rejectionMessage(
      verifyImage({ reference: ref, digest: image.digest }, policy, registry),
    );
    assert.ok(message.includes(`unsupported - blob ${named} cannot be checked`), message);
    assert.match(message, /use sha256, sha384 or sha512/);
  });

  it('a good sha256 signature still verifies beside an uncheckable one, which is listed as refused', async () => {
    sigLayerNamed((p) => hashed('md5', p));
    attachSigTag(
      registry,
      image.digest,
      signer.privateKey,
      simpleSigningPayload(image.digest, 'registry.example/x'),
    );
    const result = await verifyImage({ reference: ref, digest: image.digest }, policy, registry);
    assert.match(result.accepted.where, /layer 2$/);
    assert.deepEqual(reasons(result.rejected), ['unsupported']);
  });
});
