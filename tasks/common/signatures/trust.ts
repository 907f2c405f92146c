import type { TrustedRoot } from '@sigstore/protobuf-specs';
import { loadKeys, type LoadedKey } from './keys';
import type { NotationTrust } from './notation';
import { validateTrustPolicy, type TrustPolicy } from './policy';
import type { BundleTrust } from './sigstoreBundle';
import { readTrustedRoot } from './trustedRoot';
import { parseCertificates } from './x509Trust';

/** A trust policy checked and loaded once, reused for every image of a run. */
export interface PreparedTrust {
  readonly policy: TrustPolicy;
  readonly keys: readonly LoadedKey[];
  readonly bundle: BundleTrust;
  readonly notation?: NotationTrust;
  /** One line saying whom the policy trusts, for messages. */
  readonly summary: string;
}

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}

/** Validates the policy and loads its keys and certificates; trusted roots are read on first use. */
export function prepareTrust(policy: TrustPolicy, input = 'trust policy'): PreparedTrust {
  validateTrustPolicy(policy, input);
  const keys = loadKeys(policy.cosignKeys ?? []);
  const keylessRootFile = policy.keyless?.trustedRootFile;
  const keyedRootFile = policy.keyedTrustedRootFile;
  const notation = policy.notation && {
    policy: policy.notation,
    anchors: parseCertificates(
      policy.notation.trustedCertificates,
      `${input}: Notation trusted certificates`,
    ),
  };
  const trusted = [
    ...keys.map((k) => `cosign key ${k.name} (${k.id})`),
    ...(policy.keyless?.identities.length ? ['cosign keyless identities'] : []),
    ...(notation
      ? [
          `Notation certificates${policy.notation?.subject ? ` with subject "${policy.notation.subject}"` : ''}`,
        ]
      : []),
  ];
  return {
    policy,
    keys,
    notation,
    summary: trusted.join(', '),
    bundle: {
      keys,
      keyless: policy.keyless,
      keylessRoot: once<TrustedRoot>(() =>
        keylessRootFile
          ? readTrustedRoot(keylessRootFile)
          : Promise.reject(new Error('no keyless trusted root')),
      ),
      keyedRoot: keyedRootFile ? once(() => readTrustedRoot(keyedRootFile)) : undefined,
    },
  };
}
