// A private Sigstore instance for keyless tests: mock Fulcio CA with its CT log and a mock Rekor
// (@sigstore/mock), the trusted_root.json describing them, and a signer that gets a certificate
// for an identity and logs each signature as `cosign sign`/`cosign attest` (cosign 3) do.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initializeCA, initializeCTLog, initializeTLog } from '@sigstore/mock';
import { toDSSEBundle, toMessageSignatureBundle } from '@sigstore/bundle';
import type { Bundle } from '@sigstore/bundle';
import { mediaTypes } from '../../../tasks/common/signatures';
import { preAuthEncoding } from './cosignArtifacts';

const REKOR_URL = 'https://rekor.sigstore.mock';
const OID_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';

const ecKeys = () => crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const spki = (k: crypto.KeyObject): Buffer => k.export({ format: 'der', type: 'spki' });
const bytes = (v: ArrayBufferView): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
const pem = (der: Buffer): string =>
  `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;

export interface KeylessSigner {
  dsse(payload: Buffer): Promise<Bundle>;
  message(artifact: Buffer): Promise<Bundle>;
}

export interface SigstoreInstance {
  /** A trusted_root.json on disk for this instance (removed by `dispose`). */
  readonly trustedRootFile: string;
  signer(identity: string, issuer: string): Promise<KeylessSigner>;
  /** A keyed DSSE bundle whose signature is logged in this instance's Rekor (`cosign attest --key`, tlog upload on). */
  keyedDsse(privateKey: crypto.KeyObject, publicPem: string, payload: Buffer): Promise<Bundle>;
  dispose(): void;
}

export async function sigstoreInstance(): Promise<SigstoreInstance> {
  const ctKeys = ecKeys();
  const ctLog = await initializeCTLog(ctKeys);
  const ca = await initializeCA(ecKeys(), ctLog);
  const rekorKeys = ecKeys();
  const tlog = await initializeTLog(REKOR_URL, rekorKeys);
  const start = new Date(Date.now() - 3_600_000).toISOString();
  const logKey = (k: crypto.KeyObject) => ({
    baseUrl: REKOR_URL,
    hashAlgorithm: 'SHA2_256',
    publicKey: {
      rawBytes: spki(k).toString('base64'),
      keyDetails: 'PKIX_ECDSA_P256_SHA_256',
      validFor: { start },
    },
    logId: { keyId: crypto.createHash('sha256').update(spki(k)).digest('base64') },
  });
  const root = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [logKey(rekorKeys.publicKey)],
    certificateAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
        uri: 'https://fulcio.sigstore.mock',
        certChain: { certificates: [{ rawBytes: bytes(ca.rootCertificate).toString('base64') }] },
        validFor: { start },
      },
    ],
    ctlogs: [{ ...logKey(ctKeys.publicKey), baseUrl: 'https://ctfe.sigstore.mock' }],
    timestampAuthorities: [],
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-sigstore-'));
  const trustedRootFile = path.join(dir, 'trusted_root.json');
  fs.writeFileSync(trustedRootFile, JSON.stringify(root));

  /** Logs `body` in the mock Rekor and returns the bundle's transparency-log entry (with inclusion proof). */
  async function logEntry(body: { kind: string; apiVersion: string }) {
    // The entry's declared type comes from @sigstore/rekor-types, which is not a dependency here.
    const log = tlog.log.bind(tlog) as (entry: object) => Promise<Record<string, unknown>>;
    const answer = await log(body);
    const entry = Object.values(answer)[0] as {
      body: string;
      integratedTime: number;
      logID: string;
      logIndex: number;
      verification: {
        signedEntryTimestamp: string;
        inclusionProof: { logIndex: number; treeSize: number; rootHash: string; checkpoint: string };
      };
    };
    const proof = entry.verification.inclusionProof;
    return {
      logIndex: String(entry.logIndex),
      logId: { keyId: Buffer.from(entry.logID, 'hex') },
      kindVersion: { kind: body.kind, version: body.apiVersion },
      integratedTime: String(entry.integratedTime),
      inclusionPromise: {
        signedEntryTimestamp: Buffer.from(entry.verification.signedEntryTimestamp, 'base64'),
      },
      inclusionProof: {
        logIndex: String(proof.logIndex),
        rootHash: Buffer.from(proof.rootHash, 'hex'),
        treeSize: String(proof.treeSize),
        hashes: [],
        checkpoint: { envelope: proof.checkpoint },
      },
      canonicalizedBody: Buffer.from(entry.body, 'base64'),
    };
  }

  async function loggedDsse(signature: Buffer, payload: Buffer, verifierPem: string) {
    const hash = (b: Buffer) => ({
      algorithm: 'sha256',
      value: crypto.createHash('sha256').update(b).digest('hex'),
    });
    return logEntry({
      kind: 'dsse',
      apiVersion: '0.0.1',
      spec: {
        signatures: [
          { signature: signature.toString('base64'), verifier: Buffer.from(verifierPem).toString('base64') },
        ],
        payloadHash: hash(payload),
        envelopeHash: hash(payload),
      },
    } as { kind: string; apiVersion: string });
  }

  return {
    trustedRootFile,
    async keyedDsse(privateKey, publicPem, payload) {
      const signature = crypto.sign(
        'sha256',
        preAuthEncoding(mediaTypes.IN_TOTO_PAYLOAD, payload),
        privateKey,
      );
      const bundle = toDSSEBundle({
        artifact: payload,
        artifactType: mediaTypes.IN_TOTO_PAYLOAD,
        signature,
        keyHint: '',
      });
      bundle.verificationMaterial.tlogEntries.push(await loggedDsse(signature, payload, publicPem));
      return bundle;
    },
    dispose: () => fs.rmSync(dir, { recursive: true, force: true }),
    async signer(identity, issuer) {
      const keys = ecKeys();
      const certificate = bytes(
        await ca.issueCertificate({
          publicKey: new Uint8Array(spki(keys.publicKey)),
          subjectAltName: identity,
          extensions: [{ oid: OID_ISSUER_V2, value: issuer }],
        }),
      );
      return {
        async dsse(payload) {
          const signature = crypto.sign(
            'sha256',
            preAuthEncoding(mediaTypes.IN_TOTO_PAYLOAD, payload),
            keys.privateKey,
          );
          const bundle = toDSSEBundle({
            artifact: payload,
            artifactType: mediaTypes.IN_TOTO_PAYLOAD,
            signature,
            certificate,
          });
          bundle.verificationMaterial.tlogEntries.push(
            await loggedDsse(signature, payload, pem(certificate)),
          );
          return bundle;
        },
        async message(artifact) {
          const digest = crypto.createHash('sha256').update(artifact).digest();
          const signature = crypto.sign('sha256', artifact, keys.privateKey);
          const bundle = toMessageSignatureBundle({ digest, signature, certificate });
          bundle.verificationMaterial.tlogEntries.push(
            await logEntry({
              kind: 'hashedrekord',
              apiVersion: '0.0.1',
              spec: {
                data: { hash: { algorithm: 'sha256', value: digest.toString('hex') } },
                signature: {
                  content: signature.toString('base64'),
                  publicKey: { content: Buffer.from(pem(certificate)).toString('base64') },
                },
              },
            } as { kind: string; apiVersion: string }),
          );
          return bundle;
        },
      };
    },
  };
}
