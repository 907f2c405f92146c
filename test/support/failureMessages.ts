// Assertions on failure messages caused by a remote service's unusable answer
// (test/emulators/hostileAnswers.ts): a UserError naming where, what went wrong, and no stack.
import assert from 'node:assert/strict';
import { UserError } from '../../tasks/common/errors';
import { type HostileKind, PROXY_PAGE_TITLE } from '../emulators/hostileAnswers';
import type { TaskRun } from './taskRunner';

/** What each kind of answer must make the message say. */
export const PROBLEM: Record<HostileKind, RegExp> = {
  html502: new RegExp(`HTTP 502 with an HTML page \\("${PROXY_PAGE_TITLE}"`),
  html200: new RegExp(`an HTML page \\("${PROXY_PAGE_TITLE}".*not JSON`),
  oversized: /larger than the \d+ bytes accepted/,
  truncated: /connection closed (after \d+ of the 4096 announced bytes|before the whole answer arrived)/,
  wrongType: /not JSON|media type "text\/html"|not a list of names/,
};

/** The message names every part (service host, operation, image/secret/file) and the problem, with no stack. */
export function assertNamesWhere(
  message: string,
  kind: HostileKind,
  parts: readonly (string | RegExp)[],
): void {
  assert.doesNotMatch(message, /\n\s+at /, 'no stack trace');
  assert.match(message, PROBLEM[kind]);
  for (const part of parts) {
    if (typeof part === 'string') assert.ok(message.includes(part), `'${part}' in: ${message}`);
    else assert.match(message, part);
  }
}

/** The UserError a call ends with (a RegistryError where a registry answered). */
export async function failure(promise: Promise<unknown>): Promise<UserError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof UserError, `a UserError, not ${err instanceof Error ? err.stack : String(err)}`);
    return err;
  }
  throw new Error('expected a failure');
}

/** A task run that failed with such a message, and printed no stack anywhere. */
export function assertCleanFailure(
  run: TaskRun,
  kind: HostileKind,
  parts: readonly (string | RegExp)[],
): void {
  assert.equal(run.result, 'Failed', `expected Failed:\n${run.stdout.slice(-3000)}`);
  assertNamesWhere(run.message ?? '', kind, parts);
  assert.doesNotMatch(run.stdout, /\n\s+at /, 'no stack trace in stdout');
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace in stderr');
}

/** The message of the UserError `promise` must reject with (it fails when the promise resolves). */
export async function rejectionMessage(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => assert.fail('expected a failure, it passed'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof UserError, String(err));
  return err.message;
}
