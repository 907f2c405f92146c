// Signs registry tokens: an RS256 JWT whose header carries the signing certificate in `x5c`, as
// distribution's token auth expects. The certificate is self-signed (so it is its own CA) and is
// what the registry config names as `rootcertbundle`; it is made at fixture start by the same
// certificate helper the other emulators use.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { clientCertificate } from '../testCertificates';
import type { GrantedAccess } from './tokenGrants';

export interface TokenClaims {
  issuer: string;
  audience: string;
  subject: string;
  access: GrantedAccess[];
  lifetimeSeconds: number;
}

export interface TokenSigner {
  /** PEM file of the signing certificate: the registry's `rootcertbundle`. */
  readonly certificateFile: string;
  sign(claims: TokenClaims): { token: string; issuedAt: Date };
}

const base64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/** Generates a key and self-signed certificate; the certificate is written into `dir` (the caller removes it). */
export async function createTokenSigner(dir: string): Promise<TokenSigner> {
  const certificateFile = path.join(dir, 'token-signer.crt');
  const { certPem: pem, keyPem } = await clientCertificate('registry-fixture-token-signer');
  fs.writeFileSync(certificateFile, pem);
  const privateKey = crypto.createPrivateKey(keyPem);
  const der = new crypto.X509Certificate(pem).raw;
  const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [der.toString('base64')] }));

  return {
    certificateFile,
    sign(claims) {
      const issuedAt = new Date();
      const now = Math.floor(issuedAt.getTime() / 1000);
      const payload = {
        iss: claims.issuer,
        sub: claims.subject,
        aud: claims.audience,
        exp: now + claims.lifetimeSeconds,
        nbf: now - 1,
        iat: now,
        jti: crypto.randomUUID(),
        access: claims.access,
      };
      const signingInput = `${header}.${base64url(JSON.stringify(payload))}`;
      const signature = crypto.sign('sha256', Buffer.from(signingInput), privateKey);
      return { token: `${signingInput}.${base64url(signature)}`, issuedAt };
    },
  };
}
