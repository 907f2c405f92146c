import { parseEnvelope, preAuthEncoding } from './dsse';
import { type Descriptor, fetchBlob } from './content';
import { describeKey, findVerifyingKey, type LoadedKey } from './keys';
import {
  COSIGN_CERTIFICATE_ANNOTATION,
  COSIGN_SIGNATURE_ANNOTATION,
  COSIGN_SIMPLE_SIGNING,
  DSSE_ENVELOPE,
} from './mediaTypes';
import { checkStatement } from './statement';
import type { ArtifactSource } from './source';
import { reject, type Verdict } from './verdict';

/**
 * cosign's legacy tag forms, verified with public keys: a `.sig` layer is a simple-signing
 * payload signed in its `dev.cosignproject.cosign/signature` annotation; an `.att` layer is a
 * DSSE envelope of an in-toto statement. Keyless tag forms need the Rekor bundle annotation and
 * are reported as unsupported (cosign 3 writes Sigstore bundles instead).
 */

const noKeys = (what: string): Verdict =>
  reject(
    'not trusted by the policy',
    `a ${what} is verified with a cosign public key and the trust policy has none`,
  );

function wrongKey(keys: readonly LoadedKey[], layer: Descriptor): Verdict {
  if (layer.annotations?.[COSIGN_CERTIFICATE_ANNOTATION]) {
    return reject(
      'unsupported',
      'a keyless signature in the legacy tag form; verify keyless signatures from Sigstore bundles (cosign 3)',
    );
  }
  return reject(
    'wrong key',
    `the signature does not verify with ${keys.map(describeKey).join(', ')}: signed with another key, or the signed payload was changed`,
  );
}

interface SimpleSigning {
  critical?: { image?: { 'docker-manifest-digest'?: unknown }; type?: unknown };
}

export async function verifySigLayer(
  source: ArtifactSource,
  layer: Descriptor,
  digest: string,
  keys: readonly LoadedKey[],
): Promise<Verdict> {
  if (layer.mediaType !== COSIGN_SIMPLE_SIGNING) {
    return reject('malformed', `layer media type ${layer.mediaType}, not ${COSIGN_SIMPLE_SIGNING}`);
  }
  if (keys.length === 0) return noKeys('cosign .sig signature');
  const signature = layer.annotations?.[COSIGN_SIGNATURE_ANNOTATION];
  if (!signature) return reject('malformed', `the layer has no ${COSIGN_SIGNATURE_ANNOTATION} annotation`);
  const payload = await fetchBlob(source, layer);
  const key = findVerifyingKey(keys, payload, Buffer.from(signature, 'base64'));
  if (!key) return wrongKey(keys, layer);
  let signed: SimpleSigning;
  try {
    signed = JSON.parse(payload.toString('utf8')) as SimpleSigning;
  } catch {
    return reject('malformed', 'the signed simple-signing payload is not JSON');
  }
  const named = signed.critical?.image?.['docker-manifest-digest'];
  if (named !== digest) {
    return reject('wrong digest', `the signed payload names ${String(named)}, not ${digest}`);
  }
  return { ok: true, signer: { kind: 'cosign key', description: describeKey(key) } };
}

export async function verifyAttLayer(
  source: ArtifactSource,
  layer: Descriptor,
  digest: string,
  keys: readonly LoadedKey[],
): Promise<Verdict> {
  if (layer.mediaType !== DSSE_ENVELOPE) {
    return reject('malformed', `layer media type ${layer.mediaType}, not ${DSSE_ENVELOPE}`);
  }
  if (keys.length === 0) return noKeys('cosign .att attestation');
  const envelope = parseEnvelope(await fetchBlob(source, layer));
  if (!envelope) return reject('malformed', 'the layer is not a DSSE envelope');
  const pae = preAuthEncoding(envelope.payloadType, envelope.payload);
  const key = envelope.signatures.map((s) => findVerifyingKey(keys, pae, s.sig)).find((k) => k !== undefined);
  if (!key) return wrongKey(keys, layer);
  const checked = checkStatement(envelope.payloadType, envelope.payload, digest);
  if (!checked.ok) return reject(checked.reason, checked.detail);
  return {
    ok: true,
    signer: { kind: 'cosign key', description: describeKey(key) },
    statement: checked.statement,
  };
}
