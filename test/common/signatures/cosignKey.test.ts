import assert from 'node:assert/strict';
import { mediaTypes, type TrustPolicy, verifyImage } from '../../../tasks/common/signatures';
import {
  attachAttTag,
  attachBundle,
  attachSigTag,
  cosignKeyPair,
  keyedDsseBundle,
  keyedMessageBundle,
  simpleSigningPayload,
  statement,
} from './cosignArtifacts';
import { MemoryRegistry } from './memoryRegistry';
import { rejectionMessage } from '../../support/failureMessages';

const signer = cosignKeyPair();
const stranger = cosignKeyPair();
const policy: TrustPolicy = { cosignKeys: [{ name: 'cosign.pub', pem: signer.publicPem }] };

const rejection = rejectionMessage;

describe('signatures: cosign with a public key', () => {
  let registry: MemoryRegistry;
  let image: ReturnType<MemoryRegistry['pushImage']>;
  let other: ReturnType<MemoryRegistry['pushImage']>;
  const ref = 'registry.example/app:1.0';

  beforeEach(() => {
    registry = new MemoryRegistry();
    image = registry.pushImage('1.0');
    other = registry.pushImage('2.0', 'another image');
  });

  describe('legacy .sig tag', () => {
    it('accepts a simple-signing signature of the digest and names the key', async () => {
      attachSigTag(registry, image.digest, signer.privateKey);
      const result = await verifyImage({ reference: ref, digest: image.digest }, policy, registry);
      assert.equal(result.accepted.kind, 'cosign key');
      assert.match(result.accepted.description, /^key cosign\.pub \(sha256:[0-9a-f]{16}\)$/);
      assert.equal(result.accepted.where, `tag ${image.digest.replace(':', '-')}.sig layer 1`);
    });

    it('fails naming the image when nothing is attached', async () => {
      const message = await rejection(
        verifyImage({ reference: ref, digest: image.digest }, policy, registry),
      );
      assert.ok(message.includes(`${ref}@${image.digest}`), message);
      assert.match(message, /Found no signature/);
      assert.match(message, /cosign key cosign\.pub/);
    });

    it('rejects a signature made with another key', async () => {
      attachSigTag(registry, image.digest, stranger.privateKey);
      const message = await rejection(
        verifyImage({ reference: ref, digest: image.digest }, policy, registry),
      );
      assert.match(message, /layer 1: wrong key - the signature does not verify with key cosign\.pub/);
    });

    it('rejects a valid signature of another digest copied under this tag', async () => {
      attachSigTag(registry, image.digest, signer.privateKey, simpleSigningPayload(other.digest));
      const message = await rejection(
        verifyImage({ reference: ref, digest: image.digest }, policy, registry),
      );
      assert.match(
        message,
        new RegExp(`wrong digest - the signed payload names ${other.digest}, not ${image.digest}`),
      );
    });

    it('rejects a payload changed after signing (blob no longer matches its digest)', async () => {
      const layer = attachSigTag(registry, image.digest, signer.privateKey);
      registry.overwrite(layer.digest, simpleSigningPayload(image.digest, 'registry.example/evil'));
      const message = await rejection(
        verifyImage({ reference: ref, digest: image.digest }, policy, registry),
      );
      assert.match(message, /tampered - blob sha256:[0-9a-f]+ hashes to/);
    });

    it('accepts when one of several layers verifies, and reports the others as rejected', async () => {
      attachSigTag(registry, image.digest, stranger.privateKey);
      attachSigTag(registry, image.digest, signer.privateKey);
      const result = await verifyImage({ reference: ref, digest: image.digest }, policy, registry);
      assert.match(result.accepted.where, /layer 2$/);
      assert.equal(result.rejected.length, 1);
    });
  });

  describe('Sigstore bundles as referrers (cosign 3)', () => {
    it('accepts a keyed DSSE bundle whose statement names the digest', async () => {
      attachBundle(
        registry,
        image,
        keyedDsseBundle(signer, statement(image.digest, mediaTypes.COSIGN_SIGN_PREDICATE)),
        mediaTypes.COSIGN_SIGN_PREDICATE,
      );
      const result = await verifyImage({ reference: ref, digest: image.digest }, policy, registry);
      assert.equal(result.accepted.kind, 'cosign key');
      assert.match(result.accepted.where, /^referrer sha256:[0-9a-f]+ \(Sigstore bundle\)$/);
      assert.deepEqual(result.attestations, []);
    });

    it('rejects a DSSE bundle of another digest attached to this one (subject checked)', async () => {
      attachBundle(
        registry,
        image,
        keyedDsseBundle(signer, statement(other.digest, mediaTypes.COSIGN_SIGN_PREDICATE)),
        mediaTypes.COSIGN_SIGN_PREDICATE,
      );
      const message = await rejection(
        verifyImage({ reference: ref, digest: image.digest }, policy, registry),
      );
      assert.match(message, new RegExp(`wrong digest - the statement's subject is ${other.digest}`));
    });

    it('rejects a keyed bundle signed with another key', async () => {
      attachBundle(
        registry,
        image,
        keyedDsseBundle(stranger, statement(image.digest, mediaTypes.COSIGN_SIGN_PREDICATE)),
        mediaTypes.COSIGN_SIGN_PREDICATE,
      );
      const message = await rejection(
        verifyImage({ reference: ref, digest: image.digest }, policy, registry),
      );
      assert.match(message, /\(Sigstore bundle\): wrong key/);
    });

    it('rejects a bundle whose statement was changed after signing', async () => {
      const bundle = keyedDsseBundle(signer, statement(image.digest, mediaTypes.COSIGN_SIGN_PREDICATE));
      if (bundle.content.$case !== 'dsseEnvelope') assert.fail('not DSSE');
      bundle.content.dsseEnvelope.payload = statement(image.digest, mediaTypes.COSIGN_SIGN_PREDICATE, {
        changed: true,
      });
      attachBundle(registry, image, bundle, mediaTypes.COSIGN_SIGN_PREDICATE);
      const message = await rejection(
        verifyImage({ reference: ref, digest: image.digest }, policy, registry),
      );
      assert.match(
        message,
        /\(Sigstore bundle\): wrong key - the signature does not verify .* or the signed content was changed/,
      );
    });

    it('accepts a message-signature bundle over the image manifest, and rejects one over another manifest', async () => {
      attachBundle(
        registry,
        image,
        keyedMessageBundle(signer, registry.manifests.get(image.digest) as Buffer),
        mediaTypes.COSIGN_SIGN_PREDICATE,
      );
      const result = await verifyImage({ reference: ref, digest: image.digest }, policy, registry);
      assert.equal(result.accepted.kind, 'cosign key');

      const fresh = new MemoryRegistry();
      const target = fresh.pushImage('1.0');
      const decoy = fresh.pushImage('2.0', 'decoy');
      attachBundle(
        fresh,
        target,
        keyedMessageBundle(signer, fresh.manifests.get(decoy.digest) as Buffer),
        mediaTypes.COSIGN_SIGN_PREDICATE,
      );
      const message = await rejection(verifyImage({ reference: ref, digest: target.digest }, policy, fresh));
      assert.match(message, new RegExp(`wrong digest - the message signature signs ${decoy.digest}`));
    });

    it('ignores bundles when the registry lists no referrers, and falls back to the .sig tag', async () => {
      attachBundle(
        registry,
        image,
        keyedDsseBundle(stranger, statement(image.digest, mediaTypes.COSIGN_SIGN_PREDICATE)),
        mediaTypes.COSIGN_SIGN_PREDICATE,
      );
      attachSigTag(registry, image.digest, signer.privateKey);
      registry.referrersApi = false;
      const result = await verifyImage({ reference: ref, digest: image.digest }, policy, registry);
      assert.match(result.accepted.where, /\.sig layer 1$/);
      assert.equal(result.rejected.length, 0);
    });
  });

  describe('attestations', () => {
    const slsa = { runDetails: { builder: { id: 'https://dev.azure.com/contoso/_build?definitionId=7' } } };
    const required: TrustPolicy = {
      ...policy,
      requiredAttestations: [
        {
          predicateType: mediaTypes.SLSA_PROVENANCE_V1,
          builderId: { exact: 'https://dev.azure.com/contoso/_build?definitionId=7' },
        },
      ],
    };

    it('finds a provenance attestation in a bundle referrer and in the .att tag', async () => {
      attachSigTag(registry, image.digest, signer.privateKey);
      attachBundle(
        registry,
        image,
        keyedDsseBundle(signer, statement(image.digest, mediaTypes.SLSA_PROVENANCE_V1, slsa)),
        mediaTypes.SLSA_PROVENANCE_V1,
      );
      attachAttTag(
        registry,
        image.digest,
        signer.privateKey,
        'https://cosign.sigstore.dev/attestation/vuln/v1',
        { scanner: { result: [] } },
      );
      const result = await verifyImage({ reference: ref, digest: image.digest }, required, registry);
      assert.deepEqual(
        result.attestations.map((a) => a.predicateType),
        [mediaTypes.SLSA_PROVENANCE_V1, 'https://cosign.sigstore.dev/attestation/vuln/v1'],
      );
    });

    it('fails when the required attestation is missing, signed by another key, of another digest or from another builder', async () => {
      attachSigTag(registry, image.digest, signer.privateKey);
      let message = await rejection(
        verifyImage({ reference: ref, digest: image.digest }, required, registry),
      );
      assert.match(
        message,
        /lacks required attestations: no verified attestation of predicate type https:\/\/slsa\.dev\/provenance\/v1/,
      );

      attachAttTag(registry, image.digest, stranger.privateKey, mediaTypes.SLSA_PROVENANCE_V1, slsa);
      attachAttTag(
        registry,
        image.digest,
        signer.privateKey,
        mediaTypes.SLSA_PROVENANCE_V1,
        slsa,
        other.digest,
      );
      message = await rejection(verifyImage({ reference: ref, digest: image.digest }, required, registry));
      assert.match(message, /\.att layer 1: wrong key/);
      assert.match(message, /\.att layer 2: wrong digest/);

      const builder70 = {
        runDetails: { builder: { id: 'https://dev.azure.com/contoso/_build?definitionId=70' } },
      };
      attachAttTag(registry, image.digest, signer.privateKey, mediaTypes.SLSA_PROVENANCE_V1, builder70);
      message = await rejection(verifyImage({ reference: ref, digest: image.digest }, required, registry));
      assert.match(
        message,
        /builder id https:\/\/dev\.azure\.com\/contoso\/_build\?definitionId=70 does not match/,
      );
    });

    it('does not count an attestation as the image signature', async () => {
      attachAttTag(registry, image.digest, signer.privateKey, mediaTypes.SLSA_PROVENANCE_V1, slsa);
      const message = await rejection(
        verifyImage({ reference: ref, digest: image.digest }, policy, registry),
      );
      assert.match(message, /is not signed under the trust policy/);
    });
  });
});
