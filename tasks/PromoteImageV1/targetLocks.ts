// lockTarget: Azure Container Registry locks on what the promotion wrote. Before anything is
// copied, each target tag's lock is read: a locked tag that would change refuses the promotion
// (whatever `overwrite` says), and a registry without ACR's lock API is warned about and left
// alone. After the copies, each promoted tag and then its manifest get `writeEnabled: false`
// (and `deleteEnabled: false` with lockDelete). The token scope is declared up front, so the
// run's one token per registry covers the lock calls too.
import { agentLogger, setOutput } from '../common/agent';
import { UserError, errorMessage } from '../common/errors';
import { mapLimit } from '../common/net';
import {
  findManifest,
  readTagLock,
  updateLock,
  type LockAttributes,
  type RegistryClient,
} from '../common/registry';
import type { PromoteImageInputs, Promotion } from './inputs';
import type { LockOutcome, PromotionResult } from './summary';

/** Tags read at once. */
const CONCURRENCY = 4;

/** Per promotion (same order): whether its target registry serves ACR's lock API. */
export type LockPlan = readonly boolean[];

const tagName = (p: Promotion, tag: string): string => `${p.target.registry}/${p.target.repository}:${tag}`;

/** The name `az acr` takes: the first label of an ACR login server, else the host as given. */
const registryName = (host: string): string =>
  /\.azurecr\.[a-z.]+$/i.test(host) ? (host.split('.')[0] ?? host) : host;

/**
 * Reads the lock of every target tag before anything is written. `digests` are the digests the
 * copies will promote where already known (expectedDigest, lock file, signature gate).
 */
export async function checkTargetLocks(
  client: RegistryClient,
  options: PromoteImageInputs,
  digests: readonly (string | undefined)[],
): Promise<LockPlan> {
  const warned = new Set<string>();
  return mapLimit(options.promotions, CONCURRENCY, async (promotion, i) => {
    const states = await mapLimit(promotion.tags, CONCURRENCY, (tag) =>
      readTagLock(client.http, promotion.target, tag),
    ).catch((err: unknown) => {
      throw new UserError(
        `lockTarget: the locks of ${promotion.tags.map((t) => tagName(promotion, t)).join(', ')} could not be read, so nothing was copied: ${errorMessage(err)}`,
        { cause: err },
      );
    });
    const unsupported = states.find((s) => s.kind === 'unsupported');
    if (unsupported) {
      const { registry } = promotion.target;
      if (!warned.has(registry)) {
        warned.add(registry);
        agentLogger.warn(
          `lockTarget: ${registry} is not an Azure Container Registry (its /acr/v1/ attribute API answered ` +
            `HTTP ${unsupported.status}); locking is not supported there, so ${promotion.target.repository} ` +
            `is promoted without a lock.`,
        );
      }
      return false;
    }
    // The source digest, resolved once per image and only when a locked tag asks for it.
    let source: Promise<string | undefined> | undefined;
    const sourceDigest = () =>
      (source ??= digests[i]
        ? Promise.resolve(digests[i])
        : findManifest(client.http, promotion.source).then((m) => m?.digest));
    for (const [j, state] of states.entries()) {
      if (state.kind !== 'tag' || state.attributes.writeEnabled) continue;
      const tag = promotion.tags[j] as string;
      const digest = await sourceDigest();
      if (digest === state.digest) {
        agentLogger.info(`${tagName(promotion, tag)} is locked and already holds ${digest}.`);
        continue;
      }
      throw new UserError(
        `Target tag ${tagName(promotion, tag)} is locked on Azure Container Registry (writeEnabled false) ` +
          `and holds ${state.digest}, not the image being promoted (${digest ?? 'unknown'}). Nothing was ` +
          `copied. Promote to a new tag, or have a registry administrator unlock it: az acr repository ` +
          `update --name ${registryName(promotion.target.registry)} --image ${promotion.target.repository}:${tag} ` +
          `--write-enabled true`,
      );
    }
    return true;
  });
}

/**
 * Locks each promoted tag, then its manifest, on the registries that serve the lock API. A dry
 * run only says what it would lock.
 */
export async function lockTargets(
  client: RegistryClient,
  options: PromoteImageInputs,
  plan: LockPlan,
  results: readonly PromotionResult[],
): Promise<LockOutcome> {
  const lock: LockAttributes | Pick<LockAttributes, 'writeEnabled'> = options.lockDelete
    ? { writeEnabled: false, deleteEnabled: false }
    : { writeEnabled: false };
  const what = Object.entries(lock)
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(', ');
  const locked: string[] = [];
  const wouldLock: string[] = [];
  const unsupported: string[] = [];
  for (const [i, { promotion, report }] of results.entries()) {
    const names = promotion.tags.map((tag) => tagName(promotion, tag));
    if (!plan[i]) {
      unsupported.push(...names);
      continue;
    }
    if (options.dryRun) {
      agentLogger.info(`Would lock ${names.join(', ')} and manifest ${report.digest} (${what}).`);
      wouldLock.push(...names);
      continue;
    }
    try {
      for (const [j, tag] of promotion.tags.entries()) {
        await updateLock(client.http, promotion.target, { tag }, lock);
        locked.push(names[j] as string);
      }
      await updateLock(client.http, promotion.target, { digest: report.digest }, lock);
    } catch (err) {
      // Locks already set stay: say which, in the output too.
      setOutput('lockedTags', JSON.stringify(locked));
      const done = locked.length > 0 ? ` Locked before the failure: ${locked.join(', ')}.` : '';
      throw new UserError(
        `${names.join(', ')} was promoted (${report.digest}) but is not locked: ${errorMessage(err)}${done}`,
        { cause: err },
      );
    }
    agentLogger.info(`Locked ${names.join(', ')} and manifest ${report.digest} (${what}).`);
  }
  return { attributes: what, locked, wouldLock, unsupported };
}
