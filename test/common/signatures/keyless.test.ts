import assert from 'node:assert/strict';
import {
  mediaTypes,
  type KeylessIdentity,
  type TrustPolicy,
  verifyImage,
} from '../../../tasks/common/signatures';
import { attachBundle, cosignKeyPair, statement } from './cosignArtifacts';
import { MemoryRegistry } from './memoryRegistry';
import { type SigstoreInstance, sigstoreInstance } from './sigstoreInstance';
import { rejectionMessage } from '../../support/failureMessages';

const PIPELINE = 'https://dev.azure.com/contoso/shop/_build?definitionId=7';
const ISSUER = 'https://vstoken.dev.azure.com/2f1c6e5a-0000-4000-8000-000000000001';
const SIGN = mediaTypes.COSIGN_SIGN_PREDICATE;

const rejection = rejectionMessage;

describe('signatures: cosign keyless (Sigstore bundles, private Fulcio and Rekor)', () => {
  let sigstore: SigstoreInstance;
  let elsewhere: SigstoreInstance;
  let registry: MemoryRegistry;
  let image: ReturnType<MemoryRegistry['pushImage']>;
  const ref = 'registry.example/shop:1.0';

  before(async () => {
    sigstore = await sigstoreInstance();
    elsewhere = await sigstoreInstance();
  });
  after(() => {
    sigstore.dispose();
    elsewhere.dispose();
  });
  beforeEach(() => {
    registry = new MemoryRegistry();
    image = registry.pushImage('1.0');
  });

  const policyFor = (...identities: KeylessIdentity[]): TrustPolicy => ({
    keyless: { trustedRootFile: sigstore.trustedRootFile, identities },
  });
  const exact: KeylessIdentity = { identity: { exact: PIPELINE }, issuer: { exact: ISSUER } };
  let exactPolicy: TrustPolicy;
  beforeEach(() => {
    exactPolicy = policyFor(exact);
  });
  const verify = (policy: TrustPolicy) =>
    verifyImage({ reference: ref, digest: image.digest }, policy, registry);

  it('accepts a DSSE bundle from the trusted identity and issuer, and names them', async () => {
    const signer = await sigstore.signer(PIPELINE, ISSUER);
    attachBundle(registry, image, await signer.dsse(statement(image.digest, SIGN)), SIGN);
    const result = await verify(exactPolicy);
    assert.equal(result.accepted.kind, 'cosign keyless');
    assert.equal(result.accepted.description, `${PIPELINE} (issuer ${ISSUER})`);
  });

  it('accepts a message-signature bundle over the image manifest', async () => {
    const signer = await sigstore.signer(PIPELINE, ISSUER);
    attachBundle(registry, image, await signer.message(registry.manifests.get(image.digest) as Buffer), SIGN);
    assert.equal((await verify(exactPolicy)).accepted.kind, 'cosign keyless');
  });

  it('takes an exact identity literally: "?" is no regex and definitionId=70 is not definitionId=7', async () => {
    const signer = await sigstore.signer(`${PIPELINE}0`, ISSUER);
    attachBundle(registry, image, await signer.dsse(statement(image.digest, SIGN)), SIGN);
    const message = await rejection(verify(exactPolicy));
    assert.match(
      message,
      /wrong identity - signed by https:\/\/dev\.azure\.com\/contoso\/shop\/_build\?definitionId=70 \(issuer/,
    );
    assert.ok(message.includes(`the policy trusts "${PIPELINE}"`), message);
  });

  it('anchors a regular expression: one that would match unanchored does not', async () => {
    const signer = await sigstore.signer(`https://evil.example/?next=${PIPELINE}`, ISSUER);
    attachBundle(registry, image, await signer.dsse(statement(image.digest, SIGN)), SIGN);
    const regexPolicy = policyFor({
      identity: { regex: 'https://dev\\.azure\\.com/contoso/shop/_build\\?definitionId=\\d+' },
      issuer: { exact: ISSUER },
    });
    const message = await rejection(verify(regexPolicy));
    assert.match(message, /wrong identity/);
    assert.ok(message.includes('/^(?:https://dev'), message);

    const good = await sigstore.signer(PIPELINE, ISSUER);
    attachBundle(registry, image, await good.dsse(statement(image.digest, SIGN)), SIGN);
    assert.equal((await verify(regexPolicy)).accepted.description, `${PIPELINE} (issuer ${ISSUER})`);
  });

  it('rejects the trusted identity from another issuer', async () => {
    const signer = await sigstore.signer(PIPELINE, 'https://token.actions.githubusercontent.com');
    attachBundle(registry, image, await signer.dsse(statement(image.digest, SIGN)), SIGN);
    assert.match(
      await rejection(verify(exactPolicy)),
      /wrong identity - signed by .*\(issuer https:\/\/token\.actions\.githubusercontent\.com\)/,
    );
  });

  it('rejects a certificate from a CA the trusted root does not hold', async () => {
    const signer = await elsewhere.signer(PIPELINE, ISSUER);
    attachBundle(registry, image, await signer.dsse(statement(image.digest, SIGN)), SIGN);
    assert.match(await rejection(verify(exactPolicy)), /untrusted certificate - CERTIFICATE_ERROR/);
  });

  it('rejects a statement about another digest', async () => {
    const other = registry.pushImage('2.0', 'other');
    const signer = await sigstore.signer(PIPELINE, ISSUER);
    attachBundle(registry, image, await signer.dsse(statement(other.digest, SIGN)), SIGN);
    assert.match(
      await rejection(verify(exactPolicy)),
      new RegExp(`wrong digest - the statement's subject is ${other.digest}`),
    );
  });

  it('rejects a statement changed after signing', async () => {
    const signer = await sigstore.signer(PIPELINE, ISSUER);
    const bundle = await signer.dsse(statement(image.digest, SIGN));
    if (bundle.content.$case !== 'dsseEnvelope') assert.fail('not DSSE');
    bundle.content.dsseEnvelope.payload = statement(image.digest, SIGN, { forged: true });
    attachBundle(registry, image, bundle, SIGN);
    assert.match(await rejection(verify(exactPolicy)), /tampered - /);
  });

  it('rejects a bundle whose log entry is missing (transparency-log inclusion required)', async () => {
    const signer = await sigstore.signer(PIPELINE, ISSUER);
    const bundle = await signer.dsse(statement(image.digest, SIGN));
    bundle.verificationMaterial.tlogEntries = [];
    attachBundle(registry, image, bundle, SIGN);
    assert.match(
      await rejection(verify(exactPolicy)),
      /unverified transparency log - TIMESTAMP_ERROR: expected 1 timestamps, got 0/,
    );
  });

  it('verifies a required SLSA provenance with builder and source constraints', async () => {
    const signer = await sigstore.signer(PIPELINE, ISSUER);
    attachBundle(registry, image, await signer.dsse(statement(image.digest, SIGN)), SIGN);
    const provenance = {
      buildDefinition: {
        externalParameters: {},
        resolvedDependencies: [{ uri: 'git+https://dev.azure.com/contoso/shop/_git/shop@refs/heads/main' }],
      },
      runDetails: { builder: { id: PIPELINE } },
    };
    attachBundle(
      registry,
      image,
      await signer.dsse(statement(image.digest, mediaTypes.SLSA_PROVENANCE_V1, provenance)),
      mediaTypes.SLSA_PROVENANCE_V1,
    );
    const requirement = { predicateType: mediaTypes.SLSA_PROVENANCE_V1, builderId: { exact: PIPELINE } };
    const ok = await verify({
      ...exactPolicy,
      requiredAttestations: [
        { ...requirement, sourceRepository: { exact: 'https://dev.azure.com/contoso/shop/_git/shop' } },
      ],
    });
    assert.equal(ok.attestations[0]?.signer, `${PIPELINE} (issuer ${ISSUER})`);

    const message = await rejection(
      verify({
        ...exactPolicy,
        requiredAttestations: [
          { ...requirement, sourceRepository: { exact: 'https://dev.azure.com/contoso/shop/_git/other' } },
        ],
      }),
    );
    assert.match(
      message,
      /source repository https:\/\/dev\.azure\.com\/contoso\/shop\/_git\/shop does not match "https:\/\/dev\.azure\.com\/contoso\/shop\/_git\/other"/,
    );
  });

  it('fails with the file named when the trusted root cannot be read', async () => {
    const signer = await sigstore.signer(PIPELINE, ISSUER);
    attachBundle(registry, image, await signer.dsse(statement(image.digest, SIGN)), SIGN);
    const message = await rejection(
      verify({ keyless: { trustedRootFile: '/nonexistent/trusted_root.json', identities: [exact] } }),
    );
    assert.match(message, /^Trusted root \/nonexistent\/trusted_root\.json: cannot read it as JSON/);
  });
});

describe('signatures: keyed bundles that carry a Rekor entry', () => {
  let sigstore: SigstoreInstance;
  let elsewhere: SigstoreInstance;
  before(async () => {
    sigstore = await sigstoreInstance();
    elsewhere = await sigstoreInstance();
  });
  after(() => {
    sigstore.dispose();
    elsewhere.dispose();
  });

  it('verifies the key alone without a trusted root, and the log entry against one when it is given', async () => {
    const key = cosignKeyPair();
    const registry = new MemoryRegistry();
    const image = registry.pushImage('1.0');
    attachBundle(
      registry,
      image,
      await sigstore.keyedDsse(key.privateKey, key.publicPem, statement(image.digest, SIGN)),
      SIGN,
    );
    const keys = [{ name: 'cosign.pub', pem: key.publicPem }];
    const verify = (policy: TrustPolicy) =>
      verifyImage({ reference: 'registry.example/shop:1.0', digest: image.digest }, policy, registry);

    assert.equal((await verify({ cosignKeys: keys })).accepted.kind, 'cosign key');
    assert.equal(
      (await verify({ cosignKeys: keys, keyedTrustedRootFile: sigstore.trustedRootFile })).accepted.kind,
      'cosign key',
    );
    const message = await rejection(
      verify({ cosignKeys: keys, keyedTrustedRootFile: elsewhere.trustedRootFile }),
    );
    assert.match(message, /\(Sigstore bundle\): unverified transparency log - TLOG_/);
  });
});
