import crypto, { X509Certificate } from 'node:crypto';
import { NOTATION_PAYLOAD } from './mediaTypes';
import type { NotationPolicy } from './policy';
import { reject, type Verdict } from './verdict';
import { oneLine, subjectMatches, untrustedChainReason } from './x509Trust';

/**
 * Notation JWS envelopes (`application/jose+json` layer of a `application/vnd.cncf.notary.signature`
 * referrer): the JWS is verified with the leaf of its x5c chain, the chain must end in a trusted
 * certificate, the leaf's subject must match the policy and the payload must target the digest.
 */

const ALGORITHMS: Record<string, { hash: string; pss: boolean }> = {
  PS256: { hash: 'sha256', pss: true },
  PS384: { hash: 'sha384', pss: true },
  PS512: { hash: 'sha512', pss: true },
  ES256: { hash: 'sha256', pss: false },
  ES384: { hash: 'sha384', pss: false },
  ES512: { hash: 'sha512', pss: false },
};

/** Protected header parameters a verifier must understand (Notation JWS envelope spec). */
const KNOWN_CRITICAL = new Set([
  'io.cncf.notary.signingScheme',
  'io.cncf.notary.expiry',
  'io.cncf.notary.authenticSigningTime',
  'io.cncf.notary.verificationPlugin',
  'io.cncf.notary.verificationPluginMinVersion',
]);

interface Jws {
  protected?: unknown;
  payload?: unknown;
  signature?: unknown;
  header?: { x5c?: unknown };
}

interface ProtectedHeader {
  alg?: unknown;
  cty?: unknown;
  crit?: unknown;
  'io.cncf.notary.expiry'?: unknown;
}

export interface NotationTrust {
  readonly policy: NotationPolicy;
  readonly anchors: readonly X509Certificate[];
}

function decodeJson<T>(b64url: string): T | undefined {
  try {
    return JSON.parse(Buffer.from(b64url, 'base64url').toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

export function verifyNotationJws(
  bytes: Buffer,
  digest: string,
  trust: NotationTrust | undefined,
  now: Date,
): Verdict {
  if (!trust)
    return reject(
      'not trusted by the policy',
      'a Notation signature, and the trust policy has no Notation certificates',
    );
  let jws: Jws;
  try {
    jws = JSON.parse(bytes.toString('utf8')) as Jws;
  } catch {
    return reject('malformed', 'the JWS envelope is not JSON');
  }
  const x5c = jws.header?.x5c;
  if (
    typeof jws.protected !== 'string' ||
    typeof jws.payload !== 'string' ||
    typeof jws.signature !== 'string' ||
    !Array.isArray(x5c) ||
    x5c.length === 0
  ) {
    return reject('malformed', 'not a Notation JWS envelope (protected, payload, signature, header.x5c)');
  }
  const header = decodeJson<ProtectedHeader>(jws.protected);
  const algorithm = ALGORITHMS[String(header?.alg)];
  if (!header || !algorithm) return reject('unsupported', `signature algorithm ${String(header?.alg)}`);
  if (header.cty !== NOTATION_PAYLOAD)
    return reject('malformed', `content type ${String(header.cty)}, not ${NOTATION_PAYLOAD}`);
  const unknownCritical = (Array.isArray(header.crit) ? header.crit : []).filter(
    (c) => !KNOWN_CRITICAL.has(String(c)),
  );
  if (unknownCritical.length > 0)
    return reject('unsupported', `critical header ${unknownCritical.join(', ')}`);

  let chain: X509Certificate[];
  try {
    chain = x5c.map((c) => new X509Certificate(Buffer.from(String(c), 'base64')));
  } catch (err) {
    return reject('malformed', `a certificate of the x5c chain does not parse (${String(err)})`);
  }
  const leaf = chain[0] as X509Certificate;
  const signingInput = Buffer.from(`${jws.protected}.${jws.payload}`, 'ascii');
  const key = algorithm.pss
    ? {
        key: leaf.publicKey,
        padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
        saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST,
      }
    : { key: leaf.publicKey, dsaEncoding: 'ieee-p1363' as const };
  let valid = false;
  try {
    valid = crypto.verify(algorithm.hash, signingInput, key, Buffer.from(jws.signature, 'base64url'));
  } catch {
    valid = false;
  }
  const subject = oneLine(leaf.subject);
  if (!valid)
    return reject('tampered', `the JWS signature does not verify with its own certificate "${subject}"`);

  const untrusted = untrustedChainReason(chain, trust.anchors, now);
  if (untrusted) return reject('untrusted certificate', untrusted);
  if (trust.policy.subject && !subjectMatches(leaf.subject, trust.policy.subject)) {
    return reject(
      'wrong identity',
      `signed by "${subject}"; the policy trusts subject "${trust.policy.subject}"`,
    );
  }
  const expiry = header['io.cncf.notary.expiry'];
  if (typeof expiry === 'string' && new Date(expiry) < now) {
    return reject('untrusted certificate', `the signature expired at ${expiry}`);
  }
  const payload = decodeJson<{ targetArtifact?: { digest?: unknown } }>(jws.payload);
  const target = payload?.targetArtifact?.digest;
  if (target !== digest)
    return reject('wrong digest', `the signed payload targets ${String(target)}, not ${digest}`);
  return { ok: true, signer: { kind: 'notation', description: `certificate "${subject}"` } };
}
