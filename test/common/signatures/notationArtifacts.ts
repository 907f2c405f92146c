// Notation signatures as `notation sign` writes them (JWS envelope, the default format), with
// certificates made by openssl: a self-signed leaf as Azure Key Vault issues it for Notation
// (digitalSignature and codeSigning only, no keyCertSign), and a CA-issued leaf for chains.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { mediaTypes } from '../../../tasks/common/signatures';
import { openssl, read, withTempDir } from '../../emulators/testCertificates';
import { type Descriptor, MemoryRegistry, OCI_MANIFEST } from './memoryRegistry';

export interface NotationSigner {
  readonly keyPem: string;
  /** Leaf first, as the JWS x5c header carries it. */
  readonly chainPem: readonly string[];
}

const LEAF_EXTENSIONS = [
  '-addext',
  'keyUsage=critical,digitalSignature',
  '-addext',
  'extendedKeyUsage=codeSigning',
];

/** Runs `body` in a temporary folder, with a reader of its files. */
const inTempDir = <T>(body: (dir: string, read: (f: string) => string) => Promise<T>): Promise<T> =>
  withTempDir((dir) => body(dir, (f) => read(dir, f)));

/** A self-signed RSA signing certificate, as Key Vault creates one for Notation. */
export function selfSignedSigner(subject: string): Promise<NotationSigner> {
  return inTempDir(async (dir, read) => {
    await openssl(
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        'k.pem',
        '-out',
        'c.pem',
        '-days',
        '2',
        '-subj',
        subject,
        ...LEAF_EXTENSIONS,
      ],
      dir,
    );
    return { keyPem: read('k.pem'), chainPem: [read('c.pem')] };
  });
}

/** A root CA and a signing leaf it issued; `chainPem` is [leaf, root]. */
export function caIssuedSigner(subject: string): Promise<NotationSigner & { rootPem: string }> {
  return inTempDir(async (dir, read) => {
    await openssl(
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        'ca.key',
        '-out',
        'ca.pem',
        '-days',
        '2',
        '-subj',
        '/CN=Test Notation Root/O=Contoso',
      ].concat([
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ]),
      dir,
    );
    await openssl(
      [
        'req',
        '-new',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        'k.pem',
        '-out',
        'leaf.csr',
        '-subj',
        subject,
      ],
      dir,
    );
    fs.writeFileSync(
      path.join(dir, 'ext.cnf'),
      'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\n',
    );
    await openssl(
      [
        'x509',
        '-req',
        '-in',
        'leaf.csr',
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-set_serial',
        '0x1234',
        '-days',
        '2',
        '-out',
        'c.pem',
        '-extfile',
        'ext.cnf',
      ],
      dir,
    );
    return { keyPem: read('k.pem'), chainPem: [read('c.pem'), read('ca.pem')], rootPem: read('ca.pem') };
  });
}

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** The JWS envelope `notation sign` writes for `target` (PS256 with an RSA key). */
export function notationJws(signer: NotationSigner, target: Descriptor): Buffer {
  const protectedHeader = b64url({
    alg: 'PS256',
    crit: ['io.cncf.notary.signingScheme'],
    cty: mediaTypes.NOTATION_PAYLOAD,
    'io.cncf.notary.signingScheme': 'notary.x509',
    'io.cncf.notary.signingTime': new Date().toISOString(),
  });
  const payload = b64url({
    targetArtifact: { mediaType: target.mediaType, digest: target.digest, size: target.size },
  });
  const signature = crypto.sign('sha256', Buffer.from(`${protectedHeader}.${payload}`), {
    key: signer.keyPem,
    padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
    saltLength: 32,
  });
  const x5c = signer.chainPem.map((c) => new crypto.X509Certificate(c).raw.toString('base64'));
  return Buffer.from(
    JSON.stringify({
      payload,
      protected: protectedHeader,
      header: { x5c, 'io.cncf.notary.signingAgent': 'notation-go/1.3.0' },
      signature: signature.toString('base64url'),
    }),
  );
}

/** Attaches a Notation signature to `image` as `notation sign` does: a referrer, one JWS layer. */
export function attachNotation(
  registry: MemoryRegistry,
  image: Descriptor,
  jws: Buffer,
  chainPem: readonly string[],
): Descriptor {
  const layer = registry.putBlob(jws, mediaTypes.NOTATION_JWS);
  const thumbprints = chainPem.map((c) =>
    crypto.createHash('sha256').update(new crypto.X509Certificate(c).raw).digest('hex'),
  );
  return registry.putManifest({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: mediaTypes.NOTATION_SIGNATURE,
    config: registry.emptyConfig(),
    layers: [layer],
    subject: image,
    annotations: {
      'io.cncf.notary.x509chain.thumbprint#S256': JSON.stringify(thumbprints),
      'org.opencontainers.image.created': new Date().toISOString(),
    },
  });
}
