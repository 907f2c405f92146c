import { IN_TOTO_PAYLOAD, IN_TOTO_STATEMENT_V01, IN_TOTO_STATEMENT_V1 } from './mediaTypes';

/** An in-toto statement checked to name the image digest as a subject. */
export interface Statement {
  readonly predicateType: string;
  readonly predicate: unknown;
}

export type StatementCheck =
  | { readonly ok: true; readonly statement: Statement }
  | { readonly ok: false; readonly reason: 'wrong digest' | 'malformed'; readonly detail: string };

interface RawStatement {
  _type?: unknown;
  subject?: { digest?: Record<string, unknown> }[];
  predicateType?: unknown;
  predicate?: unknown;
}

/**
 * Parses a DSSE payload as an in-toto statement and ties it to the image: a statement counts only
 * when one of its subjects has the image digest (the Sigstore libraries do not check this).
 */
export function checkStatement(payloadType: string, payload: Buffer, digest: string): StatementCheck {
  if (payloadType !== IN_TOTO_PAYLOAD) {
    return { ok: false, reason: 'malformed', detail: `payload type ${payloadType}, not ${IN_TOTO_PAYLOAD}` };
  }
  let raw: RawStatement;
  try {
    raw = JSON.parse(payload.toString('utf8')) as RawStatement;
  } catch {
    return { ok: false, reason: 'malformed', detail: 'the in-toto statement is not JSON' };
  }
  if (
    (raw._type !== IN_TOTO_STATEMENT_V1 && raw._type !== IN_TOTO_STATEMENT_V01) ||
    typeof raw.predicateType !== 'string' ||
    !Array.isArray(raw.subject)
  ) {
    return {
      ok: false,
      reason: 'malformed',
      detail: 'not an in-toto statement (_type, subject, predicateType)',
    };
  }
  const [algorithm, hex] = digest.split(':');
  const subjects = raw.subject.map((s) => s.digest?.[algorithm ?? '']);
  if (!subjects.includes(hex)) {
    const named = subjects.filter((s) => typeof s === 'string').map((s) => `${algorithm}:${String(s)}`);
    return {
      ok: false,
      reason: 'wrong digest',
      detail: `the statement's subject is ${named.join(', ') || 'another artifact'}, not ${digest}`,
    };
  }
  return { ok: true, statement: { predicateType: raw.predicateType, predicate: raw.predicate } };
}
