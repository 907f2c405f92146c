import fs from 'node:fs';
import type { TrustedRoot } from '@sigstore/protobuf-specs';
import type { KeyFinderFunc, TrustMaterial } from '@sigstore/verify';
import { UserError } from '../errors';

/**
 * Reads a Sigstore `trusted_root.json` from a file (offline: never fetched over TUF): the Fulcio
 * CAs, Rekor and CT log keys and TSAs that certificates, log entries and timestamps are checked
 * against. Sigstore code is imported here, on first use, so tasks that verify nothing never load it.
 */
export async function readTrustedRoot(file: string): Promise<TrustedRoot> {
  let json: unknown;
  try {
    json = JSON.parse(await fs.promises.readFile(file, 'utf8'));
  } catch (err) {
    // The reason only: a parser's message quotes the file, which may be any file the input names.
    const reason = (err as NodeJS.ErrnoException).code ?? 'not JSON';
    throw new UserError(
      `Trusted root ${file}: cannot read it as JSON (${reason}). Give the Sigstore trusted_root.json of the Fulcio and Rekor instances that signed (for the public instance, the TUF target trusted_root.json, e.g. from \`cosign trusted-root create\`).`,
    );
  }
  const { TrustedRoot } = await import('./sigstoreLibraries.js');
  try {
    return TrustedRoot.fromJSON(json);
  } catch (err) {
    throw new UserError(`Trusted root ${file}: not a Sigstore trusted root (${String(err)}).`);
  }
}

const EMPTY_ROOT: TrustedRoot = {
  mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  tlogs: [],
  certificateAuthorities: [],
  ctlogs: [],
  timestampAuthorities: [],
};

/** Trust material from a root (none: trusts no log, CA or TSA) and a finder for public keys. */
export async function trustMaterial(
  root: TrustedRoot | undefined,
  keys: KeyFinderFunc,
): Promise<TrustMaterial> {
  const { toTrustMaterial } = await import('./sigstoreLibraries.js');
  return toTrustMaterial(root ?? EMPTY_ROOT, keys);
}
