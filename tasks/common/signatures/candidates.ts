import { type Descriptor, fetchBlob, parseSignatureManifest, sha256Digest, TamperedContent } from './content';
import { verifyAttLayer, verifySigLayer } from './cosignTags';
import { NOTATION_COSE, NOTATION_JWS, NOTATION_SIGNATURE, SIGSTORE_BUNDLE_V03 } from './mediaTypes';
import { verifyNotationJws } from './notation';
import { verifyBundle } from './sigstoreBundle';
import { cosignTag, type ArtifactSource, type ReferrerDescriptor } from './source';
import type { PreparedTrust } from './trust';
import { type Candidate, reject, type Verdict } from './verdict';

/** Content changed after it was written is a verdict about that candidate, not a failure of the run. */
async function guarded(body: () => Promise<Verdict>): Promise<Verdict> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof TamperedContent) return reject('tampered', err.message);
    throw err;
  }
}

/** The layers of a referrer manifest, fetched by its digest (checked). */
async function referrerLayers(
  source: ArtifactSource,
  referrer: ReferrerDescriptor,
): Promise<readonly Descriptor[]> {
  const manifest = await source.manifest(referrer.digest);
  if (!manifest)
    throw new TamperedContent(`the referrer manifest ${referrer.digest} is listed but not found`);
  return parseSignatureManifest(manifest, true).layers;
}

async function verifyReferrer(
  source: ArtifactSource,
  referrer: ReferrerDescriptor,
  digest: string,
  trust: PreparedTrust,
  now: Date,
): Promise<Verdict> {
  const layers = await referrerLayers(source, referrer);
  const layer = (mediaType: string) => layers.find((l) => l.mediaType === mediaType);
  if (referrer.artifactType === SIGSTORE_BUNDLE_V03) {
    const bundle = layer(SIGSTORE_BUNDLE_V03);
    if (!bundle) return reject('malformed', `no ${SIGSTORE_BUNDLE_V03} layer`);
    return verifyBundle(await fetchBlob(source, bundle), digest, trust.bundle, async () => {
      const image = await source.manifest(digest);
      if (!image || sha256Digest(image.bytes) !== digest) {
        throw new TamperedContent(`the image manifest ${digest} does not hash to its digest`);
      }
      return image.bytes;
    });
  }
  const jws = layer(NOTATION_JWS);
  if (jws) return verifyNotationJws(await fetchBlob(source, jws), digest, trust.notation, now);
  return layer(NOTATION_COSE)
    ? reject(
        'unsupported',
        'a Notation COSE envelope; sign with the JWS envelope (notation sign --signature-format jws, the default)',
      )
    : reject('malformed', `no ${NOTATION_JWS} layer`);
}

/**
 * Every signature and attestation attached to `digest`, each with its verdict: Sigstore bundle and
 * Notation referrers, then cosign's `.sig` and `.att` tags. Other referrers (SBOMs, scans) are skipped.
 */
export async function evaluateCandidates(
  source: ArtifactSource,
  digest: string,
  trust: PreparedTrust,
  now: Date,
): Promise<Candidate[]> {
  const candidates: Candidate[] = [];
  for (const referrer of await source.referrers(digest)) {
    if (referrer.artifactType !== SIGSTORE_BUNDLE_V03 && referrer.artifactType !== NOTATION_SIGNATURE)
      continue;
    const kind = referrer.artifactType === NOTATION_SIGNATURE ? 'Notation signature' : 'Sigstore bundle';
    candidates.push({
      where: `referrer ${referrer.digest} (${kind})`,
      verdict: await guarded(() => verifyReferrer(source, referrer, digest, trust, now)),
    });
  }
  for (const suffix of ['sig', 'att'] as const) {
    const tag = cosignTag(digest, suffix);
    const fetched = await source.manifest(tag);
    if (!fetched) continue;
    const layers = parseSignatureManifest(fetched, false).layers;
    for (const [i, layer] of layers.entries()) {
      const verify = suffix === 'sig' ? verifySigLayer : verifyAttLayer;
      candidates.push({
        where: `tag ${tag} layer ${i + 1}`,
        verdict: await guarded(() => verify(source, layer, digest, trust.keys)),
      });
    }
  }
  return candidates;
}
