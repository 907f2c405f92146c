import type { RegistryClient } from '../common/registry';
import type { PromoteImageInputs } from './inputs';

/**
 * Everything the run will ask of each registry, declared before its first request (the signature
 * gate, the pre-check, the lock reads all come before the copies): one token per registry then
 * covers the gate's reads, the copies and, with `lockTarget`, the lock reads and writes.
 */
export function declarePromotionAccess(client: RegistryClient, options: PromoteImageInputs): void {
  client.declareAccess(
    options.promotions.flatMap((p) => [
      { ...p.target, access: options.dryRun ? ('pull' as const) : ('push' as const) },
      ...(options.lockTarget
        ? [{ ...p.target, access: options.dryRun ? ('metadata_read' as const) : ('metadata_write' as const) }]
        : []),
      { registry: p.source.registry, repository: p.source.repository, access: 'pull' as const },
    ]),
  );
}
