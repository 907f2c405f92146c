// The promotion record of each promoted image (issue 16): the run's facts read once, then one
// in-toto statement per image attached to its digest in the target, signed when a signer is given.
import { agentLogger, readPipelineRun, setOutput } from '../common/agent';
import { UserError, errorMessage } from '../common/errors';
import type { RegistryClient } from '../common/registry';
import {
  attachPromotionRecord,
  describePromotion,
  signatureRecord,
  type AttachedRecord,
  type PayloadSigner,
  type PromotionFacts,
  type VerifiedImage,
} from '../common/signatures';
import { targetRepository, type PromotionResult } from './summary';

export interface WrittenRecord {
  readonly result: PromotionResult;
  readonly record: AttachedRecord;
  /** One line: what the record holds. */
  readonly contents: string;
}

function verificationOf(v: VerifiedImage | undefined): PromotionFacts['verification'] {
  if (!v) return 'not verified';
  const { kind, signer, where, attestations } = signatureRecord(v);
  return { kind, signer, where, attestations };
}

/**
 * Attaches one record per promoted image. `verified` is in the order of the promotions (the gate's
 * answer), undefined without a gate. `signer`: sign the records (a Sigstore bundle), else unsigned.
 */
export async function recordPromotions(
  client: RegistryClient,
  results: readonly PromotionResult[],
  verified: readonly VerifiedImage[] | undefined,
  signer?: PayloadSigner,
): Promise<WrittenRecord[]> {
  const pipeline = await readPipelineRun();
  const written: WrittenRecord[] = [];
  try {
    await attachEach(client, results, verified, signer, pipeline, written);
  } catch (err) {
    // The records already attached stay: say which, in the outputs too.
    if (written.length === 0) throw err;
    recordOutputs(written);
    throw new UserError(
      `${errorMessage(err)}\nPromotion records already attached: ${written.map(recordName).join(', ')}.`,
      { cause: err },
    );
  }
  return written;
}

const recordName = (r: WrittenRecord) => `${targetRepository(r.result.promotion)}@${r.record.digest}`;

/** The outputs `promotionRecordDigest` (the first image's) and `promotionRecordDigests`. */
export function recordOutputs(records: readonly WrittenRecord[]): void {
  if (!records[0]) return;
  setOutput('promotionRecordDigest', records[0].record.digest);
  setOutput('promotionRecordDigests', JSON.stringify(records.map(recordName)));
}

async function attachEach(
  client: RegistryClient,
  results: readonly PromotionResult[],
  verified: readonly VerifiedImage[] | undefined,
  signer: PayloadSigner | undefined,
  pipeline: Awaited<ReturnType<typeof readPipelineRun>>,
  written: WrittenRecord[],
): Promise<void> {
  const promotedAt = new Date().toISOString();
  for (const [i, result] of results.entries()) {
    const { promotion, report } = result;
    const facts: PromotionFacts = {
      source: { reference: promotion.source.toString(), digest: report.digest },
      target: { repository: targetRepository(promotion), tags: promotion.tags },
      verification: verificationOf(verified?.[i]),
      pipelineRun: pipeline.run,
      approvals: pipeline.approvals,
      promotedAt,
    };
    // The copy pushed or verified this manifest in the target: its report is the descriptor.
    const record = await attachPromotionRecord(client, promotion.target, report, facts, signer);
    const contents = describePromotion(facts);
    const signed = record.signedBy ? `signed with key ${record.signedBy}` : 'unsigned';
    agentLogger.info(
      `Promotion record ${record.digest} attached to ${targetRepository(promotion)}@${report.digest} ` +
        `(${record.via === 'api' ? 'referrers API' : `fallback tag`}, ${signed}, ${record.requests} registry requests): ${contents}`,
    );
    written.push({ result, record, contents });
  }
}
