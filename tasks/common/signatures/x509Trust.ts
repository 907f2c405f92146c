import { X509Certificate } from 'node:crypto';
import { UserError } from '../errors';

/** Parses every certificate of a PEM text (a trust store given as one input or file). */
export function parseCertificates(pem: string, input: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0)
    throw new UserError(`${input}: no PEM certificate (-----BEGIN CERTIFICATE-----) found.`);
  return blocks.map((b, i) => {
    try {
      return new X509Certificate(b);
    } catch (err) {
      throw new UserError(
        `${input}: certificate ${i + 1} is not a valid X.509 certificate (${String(err)}).`,
      );
    }
  });
}

const validAt = (c: X509Certificate, now: Date): boolean =>
  new Date(c.validFrom) <= now && now <= new Date(c.validTo);

const issuedBy = (c: X509Certificate, issuer: X509Certificate): boolean =>
  issuer.ca && c.checkIssued(issuer) && c.verify(issuer.publicKey);

/**
 * Whether a signing chain (leaf first) ends in a trusted certificate. A certificate that is
 * exactly one of the anchors is trusted as it is: Azure Key Vault signs Notation with a
 * self-signed leaf without keyCertSign, which `checkIssued` would refuse as its own issuer.
 * Returns why the chain is not trusted, or undefined when it is.
 */
export function untrustedChainReason(
  chain: readonly X509Certificate[],
  anchors: readonly X509Certificate[],
  now: Date,
): string | undefined {
  for (let i = 0; i < chain.length; i++) {
    const cert = chain[i] as X509Certificate;
    if (!validAt(cert, now)) {
      return `certificate "${oneLine(cert.subject)}" is valid from ${cert.validFrom} to ${cert.validTo}, not now`;
    }
    if (anchors.some((a) => a.raw.equals(cert.raw))) return undefined;
    const next = chain[i + 1];
    if (next) {
      if (!issuedBy(cert, next)) {
        return `certificate "${oneLine(cert.subject)}" is not issued by the next one in the chain, "${oneLine(next.subject)}"`;
      }
      continue;
    }
    const anchor = anchors.find((a) => issuedBy(cert, a));
    if (anchor && validAt(anchor, now)) return undefined;
    return `the chain ends at "${oneLine(cert.subject)}" (issuer "${oneLine(cert.issuer)}"), which is neither a trusted certificate nor issued by one`;
  }
  return 'the signature carries no certificate';
}

/** `CN=a\nO=b` (node's form) as `CN=a, O=b`. */
export const oneLine = (dn: string): string => dn.split('\n').join(', ');

function attributes(dn: string, separator: RegExp): Set<string> {
  return new Set(
    dn
      .split(separator)
      .map((part) => part.trim())
      .filter((part) => part !== '')
      .map((part) => {
        const eq = part.indexOf('=');
        return `${part.slice(0, eq).trim().toUpperCase()}=${part.slice(eq + 1).trim()}`;
      }),
  );
}

/**
 * Notation's `x509.subject` rule: every attribute the policy names (in any order) is in the
 * certificate's subject with the same value; attributes the policy leaves out are free.
 */
export function subjectMatches(certificateSubject: string, wanted: string): boolean {
  const have = attributes(certificateSubject, /\n/);
  return [...attributes(wanted, /(?<!\\),/)].every((a) => have.has(a));
}
