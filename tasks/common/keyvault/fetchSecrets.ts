import type { SecretRegistry } from '../log';
import { type SecretSelection, globsMatching } from './secretSelection';
import { type ListedSecret, SecretLookupError, type SecretVersion, type VaultReader } from './vaultReader';
import { WorkQueue } from '../net';

/** A secret the selection asks for, and the entry that asked. */
export interface SelectedSecret {
  /** As written in the entry, or as the vault listed it for a pattern. */
  readonly name: string;
  readonly version: string | undefined;
  readonly entry: string;
  readonly rename: string | undefined;
}

export interface ResolvedSecret extends SelectedSecret {
  readonly secret: SecretVersion;
}

export type InactiveReason = 'disabled' | 'expired' | 'not yet valid';

export interface InactiveSecret extends SelectedSecret {
  readonly reason: InactiveReason;
}

export interface FetchReport {
  readonly resolved: readonly ResolvedSecret[];
  /** Named explicitly, but the vault has no such secret (or version). */
  readonly missing: readonly SelectedSecret[];
  readonly inactive: readonly InactiveSecret[];
  /** Pattern entries no listed secret matched. */
  readonly unmatchedPatterns: readonly string[];
  readonly pagesListed: number;
  readonly secretsListed: number;
  /** Value requests made (one per distinct secret version). */
  readonly valuesRequested: number;
}

export interface FetchOptions {
  readonly selection: SecretSelection;
  readonly reader: VaultReader;
  /** Value requests in flight at once (listing runs beside them). */
  readonly concurrency: number;
  /** Page size of the listing; Key Vault's maximum is 25. */
  readonly pageSize?: number;
  /** Every value is registered here the moment it arrives. */
  readonly secrets: SecretRegistry;
  readonly now?: () => Date;
}

/** Why a secret version may not be used now; undefined when it may. */
export function inactiveReason(s: ListedSecret, now: Date): InactiveReason | undefined {
  if (!s.enabled) return 'disabled';
  if (s.expiresOn !== undefined && s.expiresOn.getTime() <= now.getTime()) return 'expired';
  if (s.notBefore !== undefined && s.notBefore.getTime() > now.getTime()) return 'not yet valid';
  return undefined;
}

interface Slot {
  readonly uses: SelectedSecret[];
  result?: { secret: SecretVersion } | { lookup: SecretLookupError['kind'] };
}

/**
 * Fetches what the selection asks for. Named secrets are requested at once, without listing;
 * patterns list the vault page by page, and each page's matches are requested while the next
 * page loads. Disabled, expired and not-yet-valid secrets found by listing are not fetched. Each
 * secret version is fetched once, however many entries select it.
 */
export async function fetchSelectedSecrets(options: FetchOptions): Promise<FetchReport> {
  const { selection, reader, secrets } = options;
  const now = (options.now ?? (() => new Date()))();
  const queue = new WorkQueue(options.concurrency);
  const slots = new Map<string, Slot>();
  const inactive: InactiveSecret[] = [];
  const matchedPatterns = new Set<string>();
  let pagesListed = 0;
  let secretsListed = 0;

  const want = (selected: SelectedSecret) => {
    const key = `${selected.name.toLowerCase()}/${selected.version?.toLowerCase() ?? ''}`;
    const existing = slots.get(key);
    if (existing) return void existing.uses.push(selected);
    const slot: Slot = { uses: [selected] };
    slots.set(key, slot);
    queue.push(async () => {
      try {
        const secret = await reader.getSecret(selected.name, selected.version);
        secrets.register(secret.value);
        slot.result = { secret };
      } catch (err) {
        if (!(err instanceof SecretLookupError)) throw err;
        slot.result = { lookup: err.kind };
      }
    });
  };

  for (const entry of selection.entries) {
    if (entry.kind === 'name') {
      want({ name: entry.name, version: entry.version, entry: entry.text, rename: entry.rename });
    }
  }
  try {
    if (selection.needsListing) {
      for await (const page of reader.listPages(options.pageSize ?? 25)) {
        pagesListed++;
        secretsListed += page.length;
        for (const listed of page) {
          const globs = globsMatching(selection, listed.name);
          globs.forEach((g) => matchedPatterns.add(g.text));
          const first = globs[0];
          if (!first) continue;
          const reason = inactiveReason(listed, now);
          const selected = { name: listed.name, version: undefined, entry: first.text, rename: undefined };
          if (reason) inactive.push({ ...selected, reason });
          else want(selected);
        }
        if (queue.failed) break;
      }
    }
  } catch (err) {
    queue.abort(err);
  }
  await queue.idle();

  const resolved: ResolvedSecret[] = [];
  const missing: SelectedSecret[] = [];
  for (const slot of slots.values()) {
    const result = slot.result;
    if (result === undefined) continue;
    if ('lookup' in result) {
      if (result.lookup === 'notFound') missing.push(...slot.uses);
      else inactive.push(...slot.uses.map((u) => ({ ...u, reason: 'disabled' as const })));
      continue;
    }
    const reason = inactiveReason(result.secret, now);
    if (reason) inactive.push(...slot.uses.map((u) => ({ ...u, reason })));
    else resolved.push(...slot.uses.map((u) => ({ ...u, secret: result.secret })));
  }
  const unmatchedPatterns = selection.entries
    .filter((e) => e.kind === 'glob' && !matchedPatterns.has(e.text))
    .map((e) => e.text);
  return {
    resolved,
    missing,
    inactive,
    unmatchedPatterns,
    pagesListed,
    secretsListed,
    valuesRequested: slots.size,
  };
}
