import path from 'node:path';
import { defaultWorkingDirectory, lockFileFolders } from '../common/agent';
import type { Logger } from '../common/log';
import { UserError } from '../common/errors';
import { confineFiles } from '../common/files';
import { findLocked, readLockFile } from '../common/lockfile';
import type { PromoteImageInputs } from './inputs';

/**
 * The digest each source must resolve to (same order as the promotions): `expectedDigest`, or the
 * source's entry in the lock file; undefined where neither says.
 */
export function testedDigests(options: PromoteImageInputs, logger: Logger): (string | undefined)[] {
  if (!options.lockFile) return options.promotions.map(() => options.expectedDigest);
  const file = path.resolve(options.lockFile);
  confineFiles([file], lockFileFolders(defaultWorkingDirectory()), 'lockFile');
  const lock = readLockFile(file);
  const missing: string[] = [];
  const digests = options.promotions.map(({ source }) => {
    const locked = findLocked(lock, source);
    if (!locked) missing.push(source.toString());
    else logger.info(`Lock file ${file}: ${source.toString()} was tested as ${locked.digest}.`);
    return locked?.digest;
  });
  if (missing.length > 0) {
    throw new UserError(
      `The image lock file ${file} does not list ${missing.join(', ')}: promote only images that were pinned and tested, ` +
        `or check 'sourceImage' against the lock file's images.`,
    );
  }
  return digests;
}
