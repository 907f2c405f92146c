import { errorMessage, UserError } from '../errors';
import { RegistryError } from '../registry';
import {
  checkDigest,
  type Descriptor,
  fetchBlob,
  parseSignatureManifest,
  TamperedContent,
  UncheckableContent,
} from './content';
import { verifyAttLayer, verifySigLayer } from './cosignTags';
import { NOTATION_COSE, NOTATION_JWS, NOTATION_SIGNATURE, SIGSTORE_BUNDLE_V03 } from './mediaTypes';
import { verifyNotationJws } from './notation';
import { verifyBundle } from './sigstoreBundle';
import { cosignTag, type ArtifactSource, type ReferrerDescriptor } from './source';
import type { PreparedTrust } from './trust';
import { type Candidate, reject, type Verdict } from './verdict';

/**
 * Whether a failure to read a candidate is a verdict about that candidate: content gone, not
 * JSON, too big, a registry error. Not so a refused credential (nothing else would read either)
 * or a user error of the task's own (a trust policy file), which fail the run as they are.
 */
function candidateFault(err: unknown): boolean {
  if (err instanceof RegistryError) return err.details.status !== 401 && err.details.status !== 403;
  return !(err instanceof UserError);
}

/**
 * One candidate's verdict. Content changed after it was written, or that cannot be read, is a
 * verdict about that candidate, not a failure of the image: another candidate may still verify,
 * and when none does, each is listed with its reason.
 */
async function guarded(body: () => Promise<Verdict>): Promise<Verdict> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof TamperedContent) return reject('tampered', err.message);
    if (err instanceof UncheckableContent) return reject('unsupported', err.message);
    if (candidateFault(err)) return reject('unreadable', errorMessage(err));
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
      if (!image) throw new TamperedContent(`the image manifest ${digest} is not found`);
      checkDigest('image manifest', digest, image.bytes);
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
  /** What cannot be read is a refused candidate at `where`; the rest of the candidates still count. */
  const readOr = async <T>(where: string, read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await read();
    } catch (err) {
      if (!candidateFault(err)) throw err;
      candidates.push({ where, verdict: reject('unreadable', errorMessage(err)) });
      return undefined;
    }
  };
  const referrers = (await readOr(`referrers of ${digest}`, () => source.referrers(digest))) ?? [];
  for (const referrer of referrers) {
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
    const layers = await readOr(`tag ${tag}`, async () => {
      const fetched = await source.manifest(tag);
      return fetched ? parseSignatureManifest(fetched, false).layers : [];
    });
    for (const [i, layer] of (layers ?? []).entries()) {
      const verify = suffix === 'sig' ? verifySigLayer : verifyAttLayer;
      candidates.push({
        where: `tag ${tag} layer ${i + 1}`,
        verdict: await guarded(() => verify(source, layer, digest, trust.keys)),
      });
    }
  }
  return candidates;
}
