// JSON Web Tokens for the emulators: sign (RS256), decode, and verify RS256/PS256/ES256 signatures.
import crypto from 'node:crypto';

export type JwtAlgorithm = 'RS256' | 'PS256' | 'ES256';

export interface DecodedJwt {
  readonly header: Record<string, unknown>;
  readonly claims: Record<string, unknown>;
  readonly signingInput: string;
  readonly signature: Buffer;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function signOptions(
  alg: JwtAlgorithm,
  key: crypto.KeyObject,
): crypto.SignKeyObjectInput | crypto.VerifyKeyObjectInput {
  switch (alg) {
    case 'RS256':
      return { key, padding: crypto.constants.RSA_PKCS1_PADDING };
    case 'PS256':
      return { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
    case 'ES256':
      return { key, dsaEncoding: 'ieee-p1363' };
  }
}

export function signJwt(
  claims: Record<string, unknown>,
  privateKey: crypto.KeyObject,
  header: Record<string, unknown> = {},
  alg: JwtAlgorithm = 'RS256',
): string {
  const signingInput = `${b64url({ typ: 'JWT', alg, ...header })}.${b64url(claims)}`;
  const signature = crypto.sign('sha256', Buffer.from(signingInput), signOptions(alg, privateKey));
  return `${signingInput}.${signature.toString('base64url')}`;
}

/** The parts of a compact JWT, or undefined when it is not one. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [h, c, s] = parts as [string, string, string];
  try {
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as unknown;
    const claims = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as unknown;
    if (typeof header !== 'object' || header === null || typeof claims !== 'object' || claims === null) {
      return undefined;
    }
    return {
      header: header as Record<string, unknown>,
      claims: claims as Record<string, unknown>,
      signingInput: `${h}.${c}`,
      signature: Buffer.from(s, 'base64url'),
    };
  } catch {
    return undefined;
  }
}

/** True when the token's signature verifies with `publicKey` under the algorithm its header names. */
export function verifyJwtSignature(jwt: DecodedJwt, publicKey: crypto.KeyObject): boolean {
  const alg = jwt.header['alg'];
  if (alg !== 'RS256' && alg !== 'PS256' && alg !== 'ES256') return false;
  try {
    return crypto.verify('sha256', Buffer.from(jwt.signingInput), signOptions(alg, publicKey), jwt.signature);
  } catch {
    return false;
  }
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);
