// Reads promotion records back from a registry fixture the way a client without our code would:
// the referrers (the `sha256-<hex>` fallback index, or the referrers API of a proxy in front), each
// referrer manifest, its one layer, and the in-toto statement inside (a Sigstore bundle's DSSE
// envelope, or a bare DSSE envelope).
import fs from 'node:fs';
import path from 'node:path';
import type { RegistryFixture } from '../emulators/registry';
import { getManifest } from '../emulators/registry/distributionApi';
import { fallbackTag } from '../emulators/registry/referrers';
import { RegistryClient } from '../emulators/registry/registryClient';
import { PROMOTION_PREDICATE, mediaTypes } from '../../tasks/common/signatures';
import type { JsonSchema } from './jsonSchema';
import { repoRoot } from './tools';

/** The documented schema of the record's statement (schemas/promotion-record-v1.schema.json). */
export const RECORD_SCHEMA = JSON.parse(
  fs.readFileSync(path.join(repoRoot(), 'schemas', 'promotion-record-v1.schema.json'), 'utf8'),
) as JsonSchema;

export interface StoredRecord {
  readonly digest: string;
  readonly artifactType: string;
  readonly manifest: { subject: { digest: string }; layers: { mediaType: string; digest: string }[] };
  readonly layerMediaType: string;
  readonly layer: Buffer;
  readonly envelope: { payloadType: string; payload: string; signatures: { keyid?: string; sig: string }[] };
  readonly statement: {
    _type: string;
    subject: { name: string; digest: { sha256: string } }[];
    predicateType: string;
    predicate: Record<string, unknown>;
  };
}

interface IndexEntry {
  digest: string;
  artifactType?: string;
  annotations?: Record<string, string>;
}

async function blob(reg: RegistryFixture, repository: string, digest: string): Promise<Buffer> {
  return (await new RegistryClient(reg).expect([200], 'GET', `/v2/${repository}/blobs/${digest}`)).body;
}

/** The referrers of `digest` listed by the fallback index, or by `via` (a referrers API host). */
export async function listReferrers(
  reg: RegistryFixture,
  repository: string,
  digest: string,
  via?: string,
): Promise<IndexEntry[]> {
  if (via) {
    const res = await new RegistryClient({ ...reg, host: via }).expect(
      [200],
      'GET',
      `/v2/${repository}/referrers/${digest}`,
    );
    return (JSON.parse(res.body.toString('utf8')) as { manifests: IndexEntry[] }).manifests;
  }
  const index = await getManifest(reg, repository, fallbackTag(digest));
  return index ? (JSON.parse(index.body.toString('utf8')) as { manifests: IndexEntry[] }).manifests : [];
}

/** Every promotion record attached to `digest` (predicate annotation), read whole. */
export async function readRecords(
  reg: RegistryFixture,
  repository: string,
  digest: string,
  via?: string,
): Promise<StoredRecord[]> {
  const entries = (await listReferrers(reg, repository, digest, via)).filter(
    (e) => e.annotations?.[mediaTypes.BUNDLE_PREDICATE_ANNOTATION] === PROMOTION_PREDICATE,
  );
  const records: StoredRecord[] = [];
  for (const entry of entries) {
    const fetched = await getManifest(reg, repository, entry.digest);
    if (!fetched) throw new Error(`referrer ${entry.digest} is listed but not in ${repository}`);
    const manifest = JSON.parse(fetched.body.toString('utf8')) as StoredRecord['manifest'];
    const layerDescriptor = manifest.layers[0];
    if (!layerDescriptor) throw new Error(`referrer ${entry.digest} has no layer`);
    const layer = await blob(reg, repository, layerDescriptor.digest);
    const json = JSON.parse(layer.toString('utf8')) as Record<string, unknown>;
    const envelope = (
      layerDescriptor.mediaType === mediaTypes.SIGSTORE_BUNDLE_V03 ? json['dsseEnvelope'] : json
    ) as StoredRecord['envelope'];
    records.push({
      digest: entry.digest,
      artifactType: entry.artifactType ?? '',
      manifest,
      layerMediaType: layerDescriptor.mediaType,
      layer,
      envelope,
      statement: JSON.parse(
        Buffer.from(envelope.payload, 'base64').toString('utf8'),
      ) as StoredRecord['statement'],
    });
  }
  return records;
}
