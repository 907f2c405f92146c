import type { HistoryEntry } from './releaseInfo';

/** Where a failed upgrade left the release, read from its history. */
export interface FailedUpgrade {
  /** The revision of the failed attempt; undefined when Helm kept none (an atomic first install is uninstalled). */
  readonly revision: number | undefined;
  /** With atomic: the revision the release was rolled back to. */
  readonly rolledBackTo: number | undefined;
}

/** Helm's description of a rollback revision (both Helm 3 and Helm 4 write it). */
const ROLLBACK = /^Rollback to (\d+)/;

/**
 * The failed attempt is the first revision after the one live before the upgrade (`before`,
 * undefined for a first install); a later `Rollback to N` revision says where atomic took it back.
 */
export function failedUpgrade(history: readonly HistoryEntry[], before: number | undefined): FailedUpgrade {
  const sorted = [...history].sort((a, b) => a.revision - b.revision);
  const attempt = sorted.find((e) => e.revision > (before ?? 0));
  const rollback = attempt
    ? sorted.find((e) => e.revision > attempt.revision && ROLLBACK.test(e.description))
    : undefined;
  const target = rollback ? ROLLBACK.exec(rollback.description)?.[1] : undefined;
  return { revision: attempt?.revision, rolledBackTo: target !== undefined ? Number(target) : undefined };
}
