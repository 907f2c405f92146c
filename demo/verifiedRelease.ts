// What the demo checks itself after production, as a client without our code would: the signature
// the gate accepted (PromoteImage's verifiedSignatures output), the promotion record read back from
// the production registry (the `sha256-<hex>` fallback index, the referrer, its Sigstore bundle) and
// verified with @sigstore/verify against the public key of the vault's promotion-signing key, the
// run and approvals it records, the tag's lock as ACR's API answers it, and that the unsigned hotfix
// was refused with nothing written.
import { getManifest } from '../test/emulators/registry/images';
import { RegistryClient } from '../test/emulators/registry/registryClient';
import { readRecords } from '../test/support/promotionRecords';
import { verifyBundleWithKey } from '../test/support/recordSigner';
import type { DemoEnvironment } from './environment';
import { HOTFIX_TAG, SERVICE, VERSION } from './sampleService';

export interface RecordedApproval {
  readonly kind: string;
  readonly name: string;
  readonly result: string;
  readonly approvedBy?: readonly string[] | string;
}

export interface VerifiedRelease {
  /** The Key Vault key id CI signed with. */
  readonly ciSigner: string;
  /** The signer PromoteImage's gate accepted, and the attestations it checked. */
  readonly accepted: { readonly signer: string; readonly attestations: string };
  readonly record?: {
    readonly digest: string;
    /** Whether @sigstore/verify accepted the record's bundle with promotion-signing's public key. */
    readonly verifies: boolean;
    readonly verifyError?: string;
    readonly run: string;
    readonly approvals: readonly RecordedApproval[] | string;
  };
  /** Records on the promoted digest: the first promotion's and the re-run's. */
  readonly records: number;
  readonly lockedTags: readonly string[];
  /** The tag's attributes as ACR's API answers them. */
  readonly tagLock?: { readonly writeEnabled: boolean; readonly deleteEnabled: boolean };
  /** The unsigned hotfix's promotion: the step's result and message, and whether its tag reached production. */
  readonly hotfix: { readonly result: string; readonly message: string; readonly written: boolean };
}

/** A step's result and message, as the runner reported it. */
export interface StepOutcome {
  readonly result: string;
  readonly message?: string;
}

const parse = <T>(text: string | undefined, fallback: T): T => {
  try {
    return text ? (JSON.parse(text) as T) : fallback;
  } catch {
    return fallback;
  }
};
const digestOf = (reference: string): string => reference.slice(reference.lastIndexOf('@') + 1);

export async function verifiedRelease(
  env: DemoEnvironment,
  value: (name: string) => string | undefined,
  ciSigner: string,
  hotfixStep: StepOutcome | undefined,
): Promise<VerifiedRelease> {
  const repository = `prod/${SERVICE}`;
  const digest = value('promote.digest') ?? '';
  const [accepted] = parse<{ signer?: string; attestations?: unknown }[]>(
    value('promote.verifiedSignatures'),
    [],
  );
  const records = digest ? await readRecords(env.prod, repository, digest) : [];
  const recordDigest = digestOf(value('promote.promotionRecordDigest') ?? '');
  const stored = records.find((r) => r.digest === recordDigest);
  let record: VerifiedRelease['record'];
  if (stored) {
    const predicate = stored.statement.predicate as {
      pipelineRun?: { pipeline?: { name?: string }; run?: { number?: string }; stage?: string };
      approvals?: RecordedApproval[] | string;
    };
    let verifyError: string | undefined;
    try {
      const pem = env.keys.promotion.publicKey.export({ format: 'pem', type: 'spki' }).toString();
      verifyBundleWithKey(stored.layer, pem);
    } catch (err) {
      verifyError = err instanceof Error ? err.message : String(err);
    }
    const run = predicate.pipelineRun;
    record = {
      digest: stored.digest,
      verifies: verifyError === undefined,
      ...(verifyError ? { verifyError } : {}),
      run: `${run?.pipeline?.name ?? '?'} #${run?.run?.number ?? '?'}, stage ${run?.stage ?? '?'}`,
      approvals: predicate.approvals ?? 'missing',
    };
  }
  const lock = await new RegistryClient(env.prod).request('GET', `/acr/v1/${repository}/_tags/v${VERSION}`);
  const attributes = parse<{
    tag?: { changeableAttributes?: { writeEnabled: boolean; deleteEnabled: boolean } };
  }>(lock.status === 200 ? lock.body.toString('utf8') : undefined, {}).tag?.changeableAttributes;
  return {
    ciSigner,
    accepted: {
      signer: accepted?.signer ?? '(none)',
      attestations: JSON.stringify(accepted?.attestations ?? []),
    },
    ...(record ? { record } : {}),
    records: records.length,
    lockedTags: parse<string[]>(value('promote.lockedTags'), []),
    hotfix: {
      result: hotfixStep?.result ?? '(not run)',
      message: hotfixStep?.message ?? '',
      written: (await getManifest(env.prod, repository, HOTFIX_TAG)) !== undefined,
    },
    ...(attributes
      ? { tagLock: { writeEnabled: attributes.writeEnabled, deleteEnabled: attributes.deleteEnabled } }
      : {}),
  };
}

/** The closing table's rows for what was verified, recorded and locked. */
export function verifiedRows(v: VerifiedRelease): [string, string][] {
  const approvals =
    typeof v.record?.approvals === 'string'
      ? v.record.approvals
      : (v.record?.approvals ?? [])
          .map(
            (a) =>
              `${a.kind} '${a.name}' ${a.result}${Array.isArray(a.approvedBy) ? ` by ${a.approvedBy.join(', ')}` : ''}`,
          )
          .join('; ');
  return [
    ['Signed in CI (cosign script step, played)', `Key Vault key ${v.ciSigner}`],
    ['Signature accepted by PromoteImage', `${v.accepted.signer}; attestations ${v.accepted.attestations}`],
    [
      'Promotion record',
      v.record
        ? `${v.record.digest} on prod/${SERVICE}, ${v.record.verifies ? "verifies with promotion-signing's public key (@sigstore/verify)" : `DOES NOT VERIFY: ${v.record.verifyError ?? ''}`}; run ${v.record.run}`
        : '(not found in the production registry)',
    ],
    ['Approvals in the record', approvals || '(none)'],
    [
      'Locked tag',
      `${v.lockedTags.join(', ') || '(none)'}; ACR says writeEnabled ${String(v.tagLock?.writeEnabled ?? '?')}, deleteEnabled ${String(v.tagLock?.deleteEnabled ?? '?')}`,
    ],
    [
      `Unsigned ${HOTFIX_TAG}`,
      `PromoteImage ${v.hotfix.result}: ${v.hotfix.message.split('\n')[0] ?? ''}; prod/${SERVICE}:${HOTFIX_TAG} ${v.hotfix.written ? 'WRITTEN' : 'not written'}`,
    ],
  ];
}
