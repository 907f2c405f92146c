// The promotion record: an in-toto Statement v1 about the promoted digest whose predicate (the
// project's own type, schema in schemas/promotion-record-v1.schema.json) says what was promoted
// from where to where, under which verification, by which pipeline run and after which approvals.
import { IN_TOTO_STATEMENT_V1 } from './mediaTypes';

/** The predicate type of the promotion record. */
export const PROMOTION_PREDICATE = 'https://release-guard.dev/promotion/v1';

/** A fact the job could not read (no permission, no answer): recorded as such, never guessed. */
export const UNKNOWN = 'unknown';
export type Known<T> = T | typeof UNKNOWN;

/** The pipeline run that promoted, from the agent's System.* / Build.* variables. */
export interface PipelineRunFacts {
  /** System.CollectionUri, e.g. `https://dev.azure.com/fabrikam/`. */
  readonly collectionUri: string;
  readonly project: string;
  readonly pipeline: { readonly name: string; readonly id: string };
  readonly run: { readonly id: string; readonly number: string; readonly url: string };
  readonly stage: string;
  readonly job: string;
  readonly attempt: string;
}

/** One approval or check of the run (a Checkpoint timeline record), as Azure DevOps reports it. */
export interface CheckFacts {
  /** `approval`, or the check's kind from its record type (`Checkpoint.TaskCheck` -> `TaskCheck`). */
  readonly kind: string;
  readonly name: string;
  /** The stage it guarded (its parent's name), when the timeline names it. */
  readonly stage?: string;
  readonly state: string;
  readonly result: string;
  readonly finishedAt?: string;
  /** Approvals: who approved, or `unknown` when the approvals API could not be read. */
  readonly approvedBy?: Known<readonly string[]>;
}

/** A signature the gate accepted (PromoteImage's `verifiedSignatures` records). */
export interface VerificationFacts {
  readonly kind: string;
  readonly signer: string;
  readonly where: string;
  readonly attestations: readonly string[];
}

export interface PromotionFacts {
  readonly source: { readonly reference: string; readonly digest: string };
  readonly target: { readonly repository: string; readonly tags: readonly string[] };
  /** `not verified` when the run had no signature gate. */
  readonly verification: VerificationFacts | 'not verified';
  readonly pipelineRun: PipelineRunFacts;
  /** Every approval and check of the run; `unknown` when the timeline could not be read. */
  readonly approvals: Known<readonly CheckFacts[]>;
  /** RFC 3339 time of the promotion. */
  readonly promotedAt: string;
}

/**
 * The statement's bytes: subject = the target repository (`host/repository`) at the promoted
 * digest, so `cosign verify-attestation` and the gate's own subject check tie it to the image.
 */
export function promotionStatement(digest: string, facts: PromotionFacts): Buffer {
  const [algorithm, hex] = digest.split(':');
  const statement = {
    _type: IN_TOTO_STATEMENT_V1,
    subject: [{ name: facts.target.repository, digest: { [algorithm ?? 'sha256']: hex } }],
    predicateType: PROMOTION_PREDICATE,
    predicate: {
      source: facts.source,
      target: { repository: facts.target.repository, tags: facts.target.tags, digest },
      verification: facts.verification,
      pipelineRun: facts.pipelineRun,
      approvals: facts.approvals,
      promotedAt: facts.promotedAt,
    },
  };
  return Buffer.from(JSON.stringify(statement), 'utf8');
}

/** One line for the log and the summary: what the record holds. */
export function describePromotion(facts: PromotionFacts): string {
  const verified =
    facts.verification === 'not verified' ? 'not verified' : `verified (${facts.verification.signer})`;
  const approvals =
    facts.approvals === UNKNOWN ? 'approvals unknown' : `${facts.approvals.length} approval(s)/check(s)`;
  const run = facts.pipelineRun;
  return `${facts.source.reference}@${facts.source.digest} -> ${facts.target.tags.map((t) => `${facts.target.repository}:${t}`).join(', ')}, ${verified}, run ${run.pipeline.name} #${run.run.number} (stage ${run.stage}, job ${run.job}), ${approvals}`;
}
