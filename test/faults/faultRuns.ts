// Shared parts of the fault-injection suite: how many seeded schedules each scenario runs
// (FAULT_SCHEDULES, default 8 in `npm test`; `npm run test:faults` runs 50), how a task run is
// judged (a success checked by the scenario, or a clean failure), and the counts the suite prints.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { FAULT_KINDS, noFaults, type FaultCounts } from '../emulators/faultProxy';
import type { TaskRun } from '../support/taskRunner';

export const DEFAULT_SCHEDULES = 8;

/** Schedules per scenario: FAULT_SCHEDULES, else the default. */
export function scheduleCount(): number {
  const text = process.env['FAULT_SCHEDULES'];
  if (text === undefined || text === '') return DEFAULT_SCHEDULES;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`FAULT_SCHEDULES=${text} is not a positive whole number`);
  return n;
}

/** The seed of schedule `i` of a scenario: stable across runs and machines. */
export function scheduleSeed(scenario: string, i: number): number {
  return crypto.createHash('sha256').update(`${scenario}#${i}`).digest().readUInt32BE(0);
}

export interface Tally {
  schedules: number;
  faults: FaultCounts;
  successes: number;
  cleanFailures: number;
  brokenTags: number;
  partialFiles: number;
}

const emptyTally = (): Tally => ({
  schedules: 0,
  faults: noFaults(),
  successes: 0,
  cleanFailures: 0,
  brokenTags: 0,
  partialFiles: 0,
});

const totals = emptyTally();

export function addFaults(into: FaultCounts, counts: FaultCounts): void {
  for (const kind of FAULT_KINDS) into[kind] += counts[kind];
}

const faultTotal = (faults: FaultCounts): number => FAULT_KINDS.reduce((n, k) => n + faults[k], 0);

function describeTally(t: Tally): string {
  const kinds = FAULT_KINDS.filter((k) => t.faults[k] > 0)
    .map((k) => `${k} ${t.faults[k]}`)
    .join(', ');
  return (
    `${t.schedules} schedules, ${faultTotal(t.faults)} faults injected (${kinds || 'none'}), ` +
    `${t.successes} successes, ${t.cleanFailures} clean failures, ` +
    `${t.brokenTags} broken tags, ${t.partialFiles} partial files`
  );
}

/** A scenario's own counts; report() prints them and the suite's totals so far. */
export function scenarioTally(name: string): Tally & { report(): void } {
  const own = emptyTally();
  return Object.assign(own, {
    report() {
      totals.schedules += own.schedules;
      addFaults(totals.faults, own.faults);
      totals.successes += own.successes;
      totals.cleanFailures += own.cleanFailures;
      totals.brokenTags += own.brokenTags;
      totals.partialFiles += own.partialFiles;
      console.log(`      fault injection, ${name}: ${describeTally(own)}`);
      console.log(`      fault injection, all scenarios so far: ${describeTally(totals)}`);
    },
  });
}

const STACK_LINE = /^\s{4}at /m;

/**
 * A clean failure: the task failed with a message that names the service (`service`: a host or
 * URL it must contain), and nothing it printed holds a stack trace.
 */
export function assertCleanFailure(run: TaskRun, service: string | readonly string[]): void {
  const services = typeof service === 'string' ? [service] : service;
  assert.equal(run.agentResult, 'Failed');
  const message = run.message ?? '';
  assert.ok(message.trim() !== '', `a failed run says why; output:\n${run.stdout.slice(-3000)}`);
  assert.ok(
    services.some((s) => message.includes(s)),
    `the failure names ${services.join(' or ')}: ${message}`,
  );
  for (const [stream, text] of [
    ['stdout', run.stdout],
    ['stderr', run.stderr],
  ] as const) {
    const at = STACK_LINE.exec(text);
    assert.equal(
      at,
      null,
      `no stack trace on ${stream}: ${text.slice(Math.max(0, (at?.index ?? 0) - 1500), (at?.index ?? 0) + 500)}`,
    );
  }
}

/** A run's outcome: its scenario's success check when it succeeded, else the clean-failure check. */
export async function judge(
  run: TaskRun,
  tally: Tally,
  service: string | readonly string[],
  checkSuccess: () => Promise<void> | void,
): Promise<'success' | 'clean failure'> {
  if (run.agentResult === 'Succeeded' || run.agentResult === 'SucceededWithIssues') {
    assertCleanOutput(run);
    await checkSuccess();
    tally.successes++;
    return 'success';
  }
  assertCleanFailure(run, service);
  tally.cleanFailures++;
  console.log(`        clean failure: ${(run.message ?? '').split('\n')[0]?.slice(0, 240)}`);
  return 'clean failure';
}

function assertCleanOutput(run: TaskRun): void {
  assert.equal(STACK_LINE.exec(run.stdout + run.stderr), null, 'no stack trace in a successful run');
}
