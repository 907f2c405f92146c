// A candidate that cannot be read (its manifest or blob gone, not JSON, a registry error) is a
// refused candidate with its reason, not a failure of the image: another candidate may verify,
// and when none does, every candidate is listed with why it was refused.
import assert from 'node:assert/strict';
import {
  cosignTag,
  mediaTypes,
  verifyImage,
  type ArtifactSource,
  type ReferrerDescriptor,
  type TrustPolicy,
} from '../../../tasks/common/signatures';
import { rejectionMessage } from '../../support/failureMessages';
import { attachBundle, attachSigTag, cosignKeyPair, keyedDsseBundle, statement } from './cosignArtifacts';
import { MemoryRegistry } from './memoryRegistry';

const signer = cosignKeyPair();
const stranger = cosignKeyPair();
const policy: TrustPolicy = { cosignKeys: [{ name: 'cosign.pub', pem: signer.publicPem }] };
const ref = 'registry.example/app:1.0';

/**
 * `registry` seen through a faulty registry: a registry error for the manifests (or `referrers
 * <digest>` listings) named in `failing`, other bytes served for the manifests in `served`, and
 * the referrers listed before any tampering (`listing`) when given.
 */
function faulty(
  registry: MemoryRegistry,
  failing: readonly string[],
  served: Readonly<Record<string, Buffer>> = {},
  listing?: readonly ReferrerDescriptor[],
): ArtifactSource {
  const refuse = (what: string) =>
    Promise.reject(new Error(`registry.example answered HTTP 500 for ${what}`));
  return {
    referrers: (digest) =>
      failing.includes(`referrers ${digest}`)
        ? refuse('referrers')
        : listing
          ? Promise.resolve(listing)
          : registry.referrers(digest),
    manifest: (reference) => {
      if (failing.includes(reference)) return refuse(reference);
      const bytes = served[reference];
      return bytes ? Promise.resolve({ digest: reference, bytes }) : registry.manifest(reference);
    },
    blob: (digest) => registry.blob(digest),
  };
}

describe('signatures: unreadable candidates', () => {
  let registry: MemoryRegistry;
  let image: ReturnType<MemoryRegistry['pushImage']>;
  const bundleOf = (key = signer) =>
    attachBundle(
      registry,
      image,
      keyedDsseBundle(key, statement(image.digest, mediaTypes.COSIGN_SIGN_PREDICATE)),
      mediaTypes.COSIGN_SIGN_PREDICATE,
    );

  beforeEach(() => {
    registry = new MemoryRegistry();
    image = registry.pushImage('1.0');
  });

  it('skips a referrer whose bundle blob is gone and accepts the valid .sig signature', async () => {
    const referrer = bundleOf();
    const manifest = JSON.parse(registry.manifests.get(referrer.digest)!.toString('utf8')) as {
      layers: { digest: string }[];
    };
    registry.blobs.delete(manifest.layers[0]!.digest);
    attachSigTag(registry, image.digest, signer.privateKey);
    const result = await verifyImage({ reference: ref, digest: image.digest }, policy, registry);
    assert.match(result.accepted.where, /^tag sha256-[0-9a-f]+\.sig layer 1$/);
    assert.deepEqual(
      result.rejected.map((c) => [c.where, c.verdict.ok ? '' : c.verdict.reason]),
      [[`referrer ${referrer.digest} (Sigstore bundle)`, 'unreadable']],
    );
  });

  it('skips a referrer manifest the registry fails to serve and accepts another referrer', async () => {
    const broken = bundleOf(stranger);
    bundleOf(signer);
    const source = faulty(registry, [broken.digest]);
    const result = await verifyImage({ reference: ref, digest: image.digest }, policy, source);
    assert.match(result.accepted.where, /^referrer sha256:[0-9a-f]+ \(Sigstore bundle\)$/);
    assert.notEqual(result.accepted.where, `referrer ${broken.digest} (Sigstore bundle)`);
  });

  it('reads the .sig tag when the referrers listing fails', async () => {
    attachSigTag(registry, image.digest, signer.privateKey);
    const source = faulty(registry, [`referrers ${image.digest}`]);
    const result = await verifyImage({ reference: ref, digest: image.digest }, policy, source);
    assert.match(result.accepted.where, /\.sig layer 1$/);
    assert.match(result.rejected[0]?.where ?? '', /^referrers of sha256:/);
  });

  it('when none verifies, lists every candidate and why: unreadable, tampered, wrong key, not JSON', async () => {
    const unreadable = bundleOf();
    const tampered = bundleOf();
    const listing = await registry.referrers(image.digest);
    attachSigTag(registry, image.digest, stranger.privateKey);
    const attTag = cosignTag(image.digest, 'att');
    const source = faulty(
      registry,
      [unreadable.digest],
      {
        [tampered.digest]: Buffer.from('{"layers":[]}'),
        [attTag]: Buffer.from('<html>not a manifest</html>'),
      },
      listing,
    );
    const message = await rejectionMessage(
      verifyImage({ reference: ref, digest: image.digest }, policy, source),
    );
    assert.match(message, /Found 4 candidate\(s\), none is a trusted signature/);
    assert.ok(
      message.includes(
        `referrer ${unreadable.digest} (Sigstore bundle): unreadable - registry.example answered HTTP 500`,
      ),
      message,
    );
    assert.ok(
      message.includes(`referrer ${tampered.digest} (Sigstore bundle): tampered - manifest`),
      message,
    );
    assert.match(message, /\.sig layer 1: wrong key/);
    assert.ok(message.includes(`tag ${attTag}: unreadable - `), message);
  });
});
