// The promotion record as the registry stores it. Signed: a Sigstore bundle v0.3 holding the DSSE
// envelope and the signer's key hint, in a referrer of artifactType
// `application/vnd.dev.sigstore.bundle.v0.3+json` - what cosign 3 `attest --key` writes, so
// `cosign verify-attestation --key` and `@sigstore/verify` verify it offline with the public key,
// and `cosign tree` / `oras discover` list it. Unsigned: the bare DSSE envelope (no signature) in
// a referrer of artifactType `application/vnd.in-toto+json`: nothing claims a signature it lacks.
import crypto from 'node:crypto';
import { UserError } from '../errors';
import type { NewReferrer } from '../registry';
import { keyId } from './keys';
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

/** The signed record as stored, and the signing key as the log names it: key id and fingerprint. */
export interface RecordArtifact extends NewReferrer {
  readonly signedBy: string | undefined;
}

/**
 * Signs the pre-authentication encoding and checks the signature with the signer's public key
 * before anything is written: a signer answering another key's signature, or a signature in
 * another encoding than DER, fails here rather than leaving a record nobody can verify.
 */
async function signChecked(
  signer: PayloadSigner,
  pae: Buffer,
): Promise<{ signature: Buffer; signedBy: string }> {
  const signature = await signer.sign(pae);
  let publicKey: crypto.KeyObject;
  try {
    publicKey = crypto.createPublicKey(await signer.publicKeyPem());
  } catch (err) {
    throw new UserError(
      `The public key of signing key ${signer.keyId} is not a PEM public key (${String(err)}).`,
    );
  }
  const signedBy = `${signer.keyId} (${keyId(publicKey)})`;
  let valid = false;
  try {
    valid = crypto.verify('sha256', pae, publicKey, signature);
  } catch {
    valid = false;
  }
  if (!valid) {
    throw new UserError(
      `The promotion record's signature made with key ${signedBy} does not verify with that key's public key: check that the key signs SHA-256 digests with ECDSA or RSA and answers DER signatures. No record was written.`,
    );
  }
  return { signature, signedBy };
}

export async function recordArtifact(
  statement: Buffer,
  createdAt: string,
  signer?: PayloadSigner,
): Promise<RecordArtifact> {
  if (!signer) {
    const envelope = { payloadType: IN_TOTO_PAYLOAD, payload: statement.toString('base64'), signatures: [] };
    return {
      artifactType: IN_TOTO_PAYLOAD,
      layers: [{ mediaType: DSSE_ENVELOPE, bytes: Buffer.from(JSON.stringify(envelope), 'utf8') }],
      annotations: { [BUNDLE_PREDICATE_ANNOTATION]: PROMOTION_PREDICATE, [CREATED]: createdAt },
      signedBy: undefined,
    };
  }
  const { signature, signedBy } = await signChecked(signer, preAuthEncoding(IN_TOTO_PAYLOAD, statement));
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
    signedBy,
  };
}
