// The promotion record as the registry stores it. Signed: a Sigstore bundle v0.3 holding the DSSE
// envelope and the signer's key hint, in a referrer of artifactType
// `application/vnd.dev.sigstore.bundle.v0.3+json` - what cosign 3 `attest --key` writes, so
// `cosign verify-attestation --key` and `@sigstore/verify` verify it offline with the public key,
// and `cosign tree` / `oras discover` list it. Unsigned: the bare DSSE envelope (no signature) in
// a referrer of artifactType `application/vnd.in-toto+json`: nothing claims a signature it lacks.
import type { NewReferrer } from '../registry';
import { preAuthEncoding } from './dsse';
import {
  BUNDLE_PREDICATE_ANNOTATION,
  DSSE_ENVELOPE,
  IN_TOTO_PAYLOAD,
  SIGSTORE_BUNDLE_V03,
} from './mediaTypes';
import { PROMOTION_PREDICATE } from './promotionRecord';
import type { PayloadSigner } from './signer';

const CREATED = 'org.opencontainers.image.created';

export async function recordArtifact(
  statement: Buffer,
  createdAt: string,
  signer?: PayloadSigner,
): Promise<NewReferrer> {
  if (!signer) {
    const envelope = { payloadType: IN_TOTO_PAYLOAD, payload: statement.toString('base64'), signatures: [] };
    return {
      artifactType: IN_TOTO_PAYLOAD,
      layers: [{ mediaType: DSSE_ENVELOPE, bytes: Buffer.from(JSON.stringify(envelope), 'utf8') }],
      annotations: { [BUNDLE_PREDICATE_ANNOTATION]: PROMOTION_PREDICATE, [CREATED]: createdAt },
    };
  }
  const signature = await signer.sign(preAuthEncoding(IN_TOTO_PAYLOAD, statement));
  const { toDSSEBundle, bundleToJSON } = await import('./sigstoreLibraries.js');
  const bundle = toDSSEBundle({
    artifact: statement,
    artifactType: IN_TOTO_PAYLOAD,
    signature,
    keyHint: signer.keyId,
  });
  return {
    artifactType: SIGSTORE_BUNDLE_V03,
    layers: [
      { mediaType: SIGSTORE_BUNDLE_V03, bytes: Buffer.from(JSON.stringify(bundleToJSON(bundle)), 'utf8') },
    ],
    annotations: {
      'dev.sigstore.bundle.content': 'dsse-envelope',
      [BUNDLE_PREDICATE_ANNOTATION]: PROMOTION_PREDICATE,
      [CREATED]: createdAt,
    },
  };
}
