// The promotion record's statement and its stored forms, without a registry: the statement matches
// the documented schema, the signed form is a Sigstore bundle the Sigstore libraries verify with
// the public key (and refuse with another), the unsigned form claims no signature.
import assert from 'node:assert/strict';
import {
  PROMOTION_PREDICATE,
  mediaTypes,
  promotionStatement,
  type PromotionFacts,
} from '../../../tasks/common/signatures';
import { recordArtifact } from '../../../tasks/common/signatures/recordArtifact';
import { validateJsonSchema } from '../../support/jsonSchema';
import { ecdsaSigner, verifyBundleWithKey } from '../../support/recordSigner';
import { RECORD_SCHEMA } from '../../support/promotionRecords';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

const facts = (over: Partial<PromotionFacts> = {}): PromotionFacts => ({
  source: { reference: 'nonprod.example/shop/api:1.4.0', digest: DIGEST },
  target: { repository: 'prod.example/shop/api', tags: ['1.4.0', 'stable'] },
  verification: {
    kind: 'cosign key',
    signer: 'key cosign.pub (sha256:0123456789abcdef)',
    where: 'referrer sha256:… (Sigstore bundle)',
    attestations: [],
  },
  pipelineRun: {
    collectionUri: 'https://dev.azure.com/contoso/',
    project: 'shop',
    pipeline: { name: 'shop-release', id: '7' },
    run: {
      id: '42',
      number: '20261205.3',
      url: 'https://dev.azure.com/contoso/shop/_build/results?buildId=42',
    },
    stage: 'Production',
    job: 'Promote',
    attempt: '1',
  },
  approvals: [
    {
      kind: 'approval',
      name: 'Approval',
      stage: 'Production',
      state: 'completed',
      result: 'succeeded',
      approvedBy: ['alice@contoso.com'],
    },
  ],
  promotedAt: '2026-12-05T09:00:00.000Z',
  ...over,
});

describe('signatures: the promotion record', () => {
  it('is an in-toto v1 statement about the target repository at the promoted digest', () => {
    const statement = JSON.parse(promotionStatement(DIGEST, facts()).toString('utf8')) as Record<
      string,
      unknown
    >;
    assert.equal(statement['_type'], 'https://in-toto.io/Statement/v1');
    assert.deepEqual(statement['subject'], [
      { name: 'prod.example/shop/api', digest: { sha256: 'ab'.repeat(32) } },
    ]);
    assert.equal(statement['predicateType'], PROMOTION_PREDICATE);
    const predicate = statement['predicate'] as Record<string, unknown>;
    assert.deepEqual(predicate['target'], {
      repository: 'prod.example/shop/api',
      tags: ['1.4.0', 'stable'],
      digest: DIGEST,
    });
    assert.deepEqual(validateJsonSchema(statement, RECORD_SCHEMA), []);
  });

  it('matches the schema with nothing verified and approvals unknown, and the schema refuses a record without its run', () => {
    const statement = JSON.parse(
      promotionStatement(DIGEST, facts({ verification: 'not verified', approvals: 'unknown' })).toString(
        'utf8',
      ),
    ) as { predicate: Record<string, unknown> };
    assert.deepEqual(validateJsonSchema(statement, RECORD_SCHEMA), []);
    delete statement.predicate['pipelineRun'];
    assert.deepEqual(validateJsonSchema(statement, RECORD_SCHEMA), [
      '$.predicate: required property "pipelineRun" is missing',
    ]);
  });

  it('signed: a Sigstore bundle v0.3 with the key hint, which the Sigstore libraries verify with the public key only', async () => {
    const signer = ecdsaSigner();
    const statement = promotionStatement(DIGEST, facts());
    const artifact = await recordArtifact(statement, '2026-12-05T09:00:00.000Z', signer);
    assert.equal(artifact.artifactType, mediaTypes.SIGSTORE_BUNDLE_V03);
    const layer = artifact.layers[0]!;
    assert.equal(layer.mediaType, mediaTypes.SIGSTORE_BUNDLE_V03);
    const bundle = JSON.parse(layer.bytes.toString('utf8')) as {
      verificationMaterial: { publicKey: { hint: string } };
      dsseEnvelope: { payload: string; signatures: { keyid: string }[] };
    };
    assert.equal(bundle.verificationMaterial.publicKey.hint, signer.keyId);
    assert.equal(bundle.dsseEnvelope.signatures[0]?.keyid, signer.keyId);
    assert.equal(
      Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'),
      statement.toString('utf8'),
    );
    verifyBundleWithKey(layer.bytes, signer.publicPem);
    assert.throws(() => verifyBundleWithKey(layer.bytes, ecdsaSigner().publicPem), /signature/i);
    // A changed statement under the same signature does not verify.
    const forged = JSON.stringify({
      ...JSON.parse(layer.bytes.toString('utf8')),
      dsseEnvelope: {
        ...bundle.dsseEnvelope,
        payload: promotionStatement(DIGEST, facts({ approvals: [] })).toString('base64'),
      },
    });
    assert.throws(() => verifyBundleWithKey(Buffer.from(forged), signer.publicPem), /signature/i);
  });

  it('refuses, before anything is stored, a signer whose signature does not verify with its public key', async () => {
    const signer = ecdsaSigner();
    const other = ecdsaSigner();
    const lying = { ...signer, publicKeyPem: () => Promise.resolve(other.publicPem) };
    await assert.rejects(
      recordArtifact(promotionStatement(DIGEST, facts()), '2026-12-05T09:00:00.000Z', lying),
      /signature made with key test-keys\/promotion\/1 \(sha256:[0-9a-f]{16}\) does not verify with that key's public key/,
    );
  });

  it('unsigned: a DSSE envelope without signatures under an in-toto artifact type', async () => {
    const statement = promotionStatement(DIGEST, facts());
    const artifact = await recordArtifact(statement, '2026-12-05T09:00:00.000Z');
    assert.equal(artifact.artifactType, mediaTypes.IN_TOTO_PAYLOAD);
    const envelope = JSON.parse(artifact.layers[0]!.bytes.toString('utf8')) as {
      payloadType: string;
      payload: string;
      signatures: unknown[];
    };
    assert.equal(artifact.layers[0]!.mediaType, mediaTypes.DSSE_ENVELOPE);
    assert.equal(envelope.payloadType, mediaTypes.IN_TOTO_PAYLOAD);
    assert.deepEqual(envelope.signatures, []);
    assert.equal(Buffer.from(envelope.payload, 'base64').toString('utf8'), statement.toString('utf8'));
    assert.equal(artifact.annotations[mediaTypes.BUNDLE_PREDICATE_ANNOTATION], PROMOTION_PREDICATE);
  });
});
