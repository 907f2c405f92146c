// Writes signatures and attestations the way cosign writes them: legacy `.sig`/`.att` tags
// (simple-signing payloads, DSSE envelopes) and cosign 3 Sigstore bundles as OCI 1.1 referrers.
import crypto from 'node:crypto';
import { bundleToJSON, toDSSEBundle, toMessageSignatureBundle } from '@sigstore/bundle';
import type { Bundle } from '@sigstore/bundle';
import { cosignTag, mediaTypes } from '../../../tasks/common/signatures';
import { type Descriptor, MemoryRegistry, OCI_MANIFEST } from './memoryRegistry';

export interface KeyPair {
  readonly privateKey: crypto.KeyObject;
  readonly publicKey: crypto.KeyObject;
  readonly publicPem: string;
}

/** A cosign key pair (`cosign generate-key-pair` makes ECDSA P-256). */
export function cosignKeyPair(): KeyPair {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKey, publicKey, publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString() };
}

export const signBytes = (key: crypto.KeyObject, data: Buffer): Buffer => crypto.sign('sha256', data, key);

export function preAuthEncoding(payloadType: string, payload: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${Buffer.byteLength(payloadType)} ${payloadType} ${payload.length} `),
    payload,
  ]);
}

/** An in-toto v1 statement about `digest`. */
export function statement(
  digest: string,
  predicateType: string,
  predicate: unknown = {},
  name = 'registry.example/app',
): Buffer {
  const [algorithm, hex] = digest.split(':') as [string, string];
  return Buffer.from(
    JSON.stringify({
      _type: mediaTypes.IN_TOTO_STATEMENT_V1,
      subject: [{ name, digest: { [algorithm]: hex } }],
      predicateType,
      predicate,
    }),
  );
}

/** cosign's simple-signing payload for `digest`. */
export function simpleSigningPayload(digest: string, reference = 'registry.example/app'): Buffer {
  return Buffer.from(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': reference },
        image: { 'docker-manifest-digest': digest },
        type: 'cosign container image signature',
      },
      optional: null,
    }),
  );
}

function appendLayer(registry: MemoryRegistry, tag: string, layer: Descriptor): void {
  const existing = registry.tags.get(tag);
  const old = existing
    ? (JSON.parse((registry.manifests.get(existing) as Buffer).toString()) as { layers: Descriptor[] })
    : undefined;
  registry.putManifest(
    {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: registry.emptyConfig(),
      layers: [...(old?.layers ?? []), layer],
    },
    tag,
  );
}

/** `cosign sign --key` (legacy tag form): a layer on the `sha256-<hex>.sig` tag of `image`. */
export function attachSigTag(
  registry: MemoryRegistry,
  image: string,
  key: crypto.KeyObject,
  payload = simpleSigningPayload(image),
): Descriptor {
  const layer = registry.putBlob(payload, mediaTypes.COSIGN_SIMPLE_SIGNING, {
    [mediaTypes.COSIGN_SIGNATURE_ANNOTATION]: signBytes(key, payload).toString('base64'),
  });
  appendLayer(registry, cosignTag(image, 'sig'), layer);
  return layer;
}

/** `cosign attest --key` (legacy tag form): a DSSE envelope layer on the `.att` tag of `image`. */
export function attachAttTag(
  registry: MemoryRegistry,
  image: string,
  key: crypto.KeyObject,
  predicateType: string,
  predicate: unknown = {},
  subject = image,
): Descriptor {
  const payload = statement(subject, predicateType, predicate);
  const sig = signBytes(key, preAuthEncoding(mediaTypes.IN_TOTO_PAYLOAD, payload));
  const envelope = {
    payloadType: mediaTypes.IN_TOTO_PAYLOAD,
    payload: payload.toString('base64'),
    signatures: [{ keyid: '', sig: sig.toString('base64') }],
  };
  const layer = registry.putBlob(Buffer.from(JSON.stringify(envelope)), mediaTypes.DSSE_ENVELOPE, {
    [mediaTypes.COSIGN_SIGNATURE_ANNOTATION]: '',
    predicateType,
  });
  appendLayer(registry, cosignTag(image, 'att'), layer);
  return layer;
}

/** Attaches a Sigstore bundle to `image` as cosign 3 does: a referrer manifest, one bundle layer. */
export function attachBundle(
  registry: MemoryRegistry,
  image: Descriptor,
  bundle: Bundle,
  predicateType: string,
): Descriptor {
  const layer = registry.putBlob(
    Buffer.from(JSON.stringify(bundleToJSON(bundle))),
    mediaTypes.SIGSTORE_BUNDLE_V03,
  );
  return registry.putManifest({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: mediaTypes.SIGSTORE_BUNDLE_V03,
    config: registry.emptyConfig(),
    layers: [layer],
    subject: image,
    annotations: {
      'dev.sigstore.bundle.content':
        bundle.content.$case === 'dsseEnvelope' ? 'dsse-envelope' : 'message-signature',
      [mediaTypes.BUNDLE_PREDICATE_ANNOTATION]: predicateType,
      'org.opencontainers.image.created': '2026-12-05T00:00:00Z',
    },
  });
}

/** A DSSE bundle signed with a key (`cosign sign --key` / `cosign attest --key`, cosign 3). */
export function keyedDsseBundle(key: KeyPair, payload: Buffer): Bundle {
  const signature = signBytes(key.privateKey, preAuthEncoding(mediaTypes.IN_TOTO_PAYLOAD, payload));
  return toDSSEBundle({
    artifact: payload,
    artifactType: mediaTypes.IN_TOTO_PAYLOAD,
    signature,
    keyHint: '',
  });
}

/** A DSSE bundle over an in-toto payload with a signature made elsewhere (a Key Vault signer). */
export function dsseBundleFromSignature(payload: Buffer, signature: Buffer, keyHint = ''): Bundle {
  return toDSSEBundle({ artifact: payload, artifactType: mediaTypes.IN_TOTO_PAYLOAD, signature, keyHint });
}

/** A message-signature bundle over the image manifest, signed with a key. */
export function keyedMessageBundle(key: KeyPair, manifest: Buffer): Bundle {
  const digest = crypto.createHash('sha256').update(manifest).digest();
  return toMessageSignatureBundle({ digest, signature: signBytes(key.privateKey, manifest), keyHint: '' });
}
