// Reading what a remote service answered. The one place that turns an oversized, cut-off,
// non-JSON or HTML answer (a proxy's error page) into a UserError naming the service, the
// operation and what to check, for registries, token services, Key Vault, ARM and Kubernetes.
import type http from 'node:http';
import { UserError } from '../errors';

/** Where an answer came from, for messages. */
export interface AnswerSource {
  /** The service with its host, as the user knows it: `Registry 127.0.0.1:5000`. */
  readonly service: string;
  /** What was being done, naming the image, secret or file: `read manifest v1 (host/team/app)`. */
  readonly operation: string;
  /** What to check; by default the service's address and the proxies between the agent and it. */
  readonly check?: string;
  /** Builds the error (a RegistryError for registries); a UserError by default. */
  readonly fail?: (message: string, cause?: unknown) => UserError;
  /**
   * The answer carries a credential (a token service, AKS credentials): its text is never quoted,
   * not even the start of it, since a cut-off token is not registered as a secret yet.
   */
  readonly carriesCredentials?: boolean;
}

export const DEFAULT_ANSWER_LIMIT = 16 * 1024 * 1024;

function defaultCheck(source: AnswerSource): string {
  return `Check the address of ${source.service} and any proxy or firewall between the agent and it.`;
}

/** The UserError for an answer that cannot be used. */
export function answerError(source: AnswerSource, problem: string, cause?: unknown): UserError {
  const message = `${source.service}: ${source.operation} failed: ${problem}. ${source.check ?? defaultCheck(source)}`;
  return source.fail ? source.fail(message, cause) : new UserError(message, cause ? { cause } : undefined);
}

const oneLine = (text: string, max: number): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}...` : flat;
};

/** True when the body or its Content-Type says it is an HTML page. */
export function isHtml(body: Buffer | string, contentType?: string): boolean {
  if (/^text\/html\b/i.test(contentType ?? '')) return true;
  const head = (typeof body === 'string' ? body.slice(0, 512) : body.subarray(0, 512).toString('utf8'))
    .trimStart()
    .toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html') || head.startsWith('<head');
}

/**
 * What a body that is not the expected JSON looks like, for a message: an HTML page with its
 * title (proxies and gateways put the reason there), or the first characters of other text.
 */
export function describeBody(body: Buffer | string, contentType?: string): string {
  const text = typeof body === 'string' ? body : body.subarray(0, 64 * 1024).toString('utf8');
  const type = contentType ? `Content-Type ${oneLine(contentType, 80)}` : '';
  if (isHtml(text, contentType)) {
    const title = oneLine(/<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1] ?? '', 80);
    const about = [title ? `"${title}"` : '', type].filter((p) => p !== '').join('; ');
    return `an HTML page${about ? ` (${about})` : ''}, typically from a proxy or gateway in front of the service`;
  }
  if (text.trim() === '') return `an empty body${type ? ` (${type})` : ''}`;
  return `text ("${oneLine(text, 60)}"${type ? `; ${type}` : ''})`;
}

/** One line for an HTTP answer's status and body, for messages about refused requests. */
export function describeStatus(status: number, body: Buffer | string, contentType?: string): string {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  return isHtml(text, contentType)
    ? `HTTP ${status} with ${describeBody(text, contentType)}`
    : `HTTP ${status}`;
}

/**
 * What is wrong with an answer a client library already read whole (the Azure SDK's): larger
 * than `limit`, or a body that is not JSON; undefined when it is usable JSON or empty.
 */
export function jsonAnswerProblem(
  status: number,
  body: string | undefined,
  contentType: string | undefined,
  limit = DEFAULT_ANSWER_LIMIT,
): string | undefined {
  if (body !== undefined && Buffer.byteLength(body) > limit) {
    return `the answer is larger than the ${limit} bytes accepted (HTTP ${status})`;
  }
  if (!body || body.trim() === '') return undefined;
  try {
    JSON.parse(body);
    return undefined;
  } catch {
    return `it answered HTTP ${status} with ${describeBody(body, contentType)}, not JSON`;
  }
}

/** A client library's error for a body cut off ("aborted", ECONNRESET), in words. */
export function cutOffProblem(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ECONNRESET' || /\baborted\b/i.test(err instanceof Error ? err.message : String(err))
    ? 'the connection closed before the whole answer arrived'
    : undefined;
}

/**
 * Reads a whole (small) answer. Fails naming the source when it is larger than `limit` bytes
 * (announced or received), or when the connection ends before the announced Content-Length.
 */
export async function readAnswer(
  res: http.IncomingMessage,
  source: AnswerSource,
  limit = DEFAULT_ANSWER_LIMIT,
): Promise<Buffer> {
  const announced = Number(res.headers['content-length'] ?? NaN);
  const tooLarge = () =>
    answerError(
      source,
      `the answer is larger than the ${limit} bytes accepted (HTTP ${res.statusCode ?? 0}${Number.isFinite(announced) ? `, Content-Length ${announced}` : ''})`,
    );
  if (Number.isFinite(announced) && announced > limit) {
    res.destroy();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) {
        res.destroy();
        throw tooLarge();
      }
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw truncated(source, size, announced, err);
  }
  if (!res.complete || (Number.isFinite(announced) && size < announced)) {
    throw truncated(source, size, announced);
  }
  return Buffer.concat(chunks);
}

const cutOff = new WeakSet<object>();

/** True for the error of an answer that arrived incomplete (worth asking again, for a GET). */
export function isCutOffAnswer(err: unknown): boolean {
  return typeof err === 'object' && err !== null && cutOff.has(err);
}

function truncated(source: AnswerSource, size: number, announced: number, cause?: unknown): UserError {
  const code = (cause as { code?: unknown } | undefined)?.code;
  const of = Number.isFinite(announced) ? ` of the ${announced} announced` : '';
  const error = answerError(
    source,
    `the connection closed after ${size}${of} bytes of the answer${typeof code === 'string' ? ` (${code})` : ''}, so it arrived incomplete`,
    cause,
  );
  cutOff.add(error);
  return error;
}

/** True for a body that starts as a JSON object but stops: an answer cut short on the way. */
export function stopsMidJson(body: Buffer | string): boolean {
  const text = (typeof body === 'string' ? body : body.toString('utf8')).trimStart();
  if (!text.startsWith('{')) return false;
  try {
    JSON.parse(text);
    return false;
  } catch {
    return true;
  }
}

/** Parses an answer that must be JSON (an object or an array); anything else fails naming the source. */
export function parseJsonAnswer(
  body: Buffer | string,
  contentType: string | undefined,
  source: AnswerSource,
): unknown {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    const described =
      source.carriesCredentials && !isHtml(text, contentType)
        ? `${text.length} characters that are not JSON (not shown: the answer may carry a credential)`
        : `${describeBody(text, contentType)}, not JSON`;
    throw answerError(source, `the answer is ${described}`);
  }
  if (typeof parsed !== 'object' || parsed === null) {
    throw answerError(
      source,
      `the answer is the JSON value ${oneLine(JSON.stringify(parsed), 40)}, not a JSON object`,
    );
  }
  return parsed;
}

/** readAnswer then parseJsonAnswer: the JSON answer or a UserError naming where. */
export async function readJsonAnswer(
  res: http.IncomingMessage,
  source: AnswerSource,
  limit = DEFAULT_ANSWER_LIMIT,
): Promise<unknown> {
  return parseJsonAnswer(await readAnswer(res, source, limit), res.headers['content-type'], source);
}
