// One JSON request to a service that is not a registry (Azure Resource Manager, a Kubernetes API
// server): sent through the transport, and every way it can fail turned into a UserError naming
// the service, the operation and what to check.
import { errorMessage, type UserError } from '../errors';
import { answerError, describeStatus, readAnswer, readJsonAnswer, type AnswerSource } from './remoteAnswer';
import type { HttpRequest, Transport } from './transport';

export interface JsonRequestOptions {
  /** Largest answer accepted, in bytes. */
  readonly limit: number;
  /** The error for an answer other than 200 (by default: what it answered, with the source's check). */
  readonly refused?: (status: number, body: Buffer, contentType: string | undefined) => UserError;
}

/** Sends `request` and parses its JSON answer; fails naming `source`. */
export async function requestJson(
  transport: Transport,
  request: HttpRequest,
  source: AnswerSource,
  options: JsonRequestOptions,
): Promise<unknown> {
  const res = await transport.send(request).catch((err: unknown) => {
    throw answerError(source, `it could not be reached (${errorMessage(err)})`, err);
  });
  const contentType = res.headers['content-type'];
  if (res.status !== 200) {
    const body = await readAnswer(res.body, source, 64 * 1024).catch(() => Buffer.alloc(0));
    throw options.refused
      ? options.refused(res.status, body, contentType)
      : answerError(source, `it answered ${describeStatus(res.status, body, contentType)}`);
  }
  return readJsonAnswer(res.body, source, options.limit);
}
