import assert from 'node:assert/strict';
import { type TrustPolicy, verifyImage } from '../../../tasks/common/signatures';
import { MemoryRegistry } from './memoryRegistry';
import {
  attachNotation,
  caIssuedSigner,
  type NotationSigner,
  notationJws,
  selfSignedSigner,
} from './notationArtifacts';
import { rejectionMessage } from '../../support/failureMessages';

const rejection = rejectionMessage;

describe('signatures: Notation JWS envelopes', () => {
  let keyVault: NotationSigner;
  let chained: NotationSigner & { rootPem: string };
  let stranger: NotationSigner;
  let registry: MemoryRegistry;
  let image: ReturnType<MemoryRegistry['pushImage']>;
  const ref = 'contoso.azurecr.io/shop:1.0';

  before(async () => {
    keyVault = await selfSignedSigner('/CN=release-signer/O=Contoso/C=US');
    chained = await caIssuedSigner('/CN=ci-signer/O=Contoso');
    stranger = await selfSignedSigner('/CN=release-signer/O=Contoso/C=US');
  });
  beforeEach(() => {
    registry = new MemoryRegistry();
    image = registry.pushImage('1.0');
  });
  const verify = (policy: TrustPolicy) =>
    verifyImage({ reference: ref, digest: image.digest }, policy, registry);
  const sign = (signer: NotationSigner, target = image) =>
    attachNotation(registry, image, notationJws(signer, target), signer.chainPem);

  it('accepts a self-signed Key Vault leaf trusted as itself (no keyCertSign), with a subject constraint', async () => {
    sign(keyVault);
    const result = await verify({
      notation: {
        trustedCertificates: keyVault.chainPem[0] as string,
        subject: 'O=Contoso, CN=release-signer',
      },
    });
    assert.equal(result.accepted.kind, 'notation');
    assert.equal(result.accepted.description, 'certificate "CN=release-signer, O=Contoso, C=US"');
    assert.match(result.accepted.where, /\(Notation signature\)$/);
  });

  it('accepts a leaf issued by a trusted root, the root alone in the trust store', async () => {
    sign(chained);
    const result = await verify({ notation: { trustedCertificates: chained.rootPem } });
    assert.equal(result.accepted.description, 'certificate "CN=ci-signer, O=Contoso"');
  });

  it('rejects a self-signed certificate with the same subject that is not the trusted one', async () => {
    sign(stranger);
    const message = await rejection(
      verify({ notation: { trustedCertificates: keyVault.chainPem[0] as string } }),
    );
    assert.match(message, /untrusted certificate - the chain ends at "CN=release-signer, O=Contoso, C=US"/);
  });

  it('rejects a chain whose root is not trusted', async () => {
    sign(chained);
    const message = await rejection(
      verify({ notation: { trustedCertificates: keyVault.chainPem[0] as string } }),
    );
    assert.match(message, /untrusted certificate - the chain ends at "CN=Test Notation Root, O=Contoso"/);
  });

  it('rejects a trusted signer whose subject the policy does not name', async () => {
    sign(keyVault);
    const message = await rejection(
      verify({
        notation: {
          trustedCertificates: keyVault.chainPem[0] as string,
          subject: 'CN=release-signer, O=Fabrikam',
        },
      }),
    );
    assert.match(
      message,
      /wrong identity - signed by "CN=release-signer, O=Contoso, C=US"; the policy trusts subject "CN=release-signer, O=Fabrikam"/,
    );
  });

  it('rejects a signature of another digest attached to this image', async () => {
    const other = registry.pushImage('2.0', 'other');
    sign(keyVault, other);
    const message = await rejection(
      verify({ notation: { trustedCertificates: keyVault.chainPem[0] as string } }),
    );
    assert.match(
      message,
      new RegExp(`wrong digest - the signed payload targets ${other.digest}, not ${image.digest}`),
    );
  });

  it('rejects an envelope whose payload was changed after signing', async () => {
    const jws = JSON.parse(notationJws(keyVault, image).toString()) as { payload: string };
    const other = registry.pushImage('2.0', 'other');
    jws.payload = Buffer.from(JSON.stringify({ targetArtifact: { digest: other.digest } })).toString(
      'base64url',
    );
    attachNotation(registry, other, Buffer.from(JSON.stringify(jws)), keyVault.chainPem);
    const message = await rejection(
      verifyImage(
        { reference: ref, digest: other.digest },
        { notation: { trustedCertificates: keyVault.chainPem[0] as string } },
        registry,
      ),
    );
    assert.match(
      message,
      /tampered - the JWS signature does not verify with its own certificate "CN=release-signer/,
    );
  });

  it('reports a Notation signature as untrusted when the policy has only cosign keys', async () => {
    sign(keyVault);
    const { publicKey } = await import('node:crypto').then((c) =>
      c.generateKeyPairSync('ec', { namedCurve: 'prime256v1' }),
    );
    const message = await rejection(
      verify({
        cosignKeys: [
          { name: 'cosign.pub', pem: publicKey.export({ format: 'pem', type: 'spki' }).toString() },
        ],
      }),
    );
    assert.match(
      message,
      /\(Notation signature\): not trusted by the policy - a Notation signature, and the trust policy has no Notation certificates/,
    );
  });
});
