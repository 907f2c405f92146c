import { UserError, errorMessage } from '../errors';
import { writeFileAtomic } from '../files';
import { type ImageLock, serializeImageLock } from './imageLock';

/** Writes the lock file atomically (creating its folder), in its canonical text form. */
export function writeLockFile(file: string, lock: ImageLock): void {
  try {
    writeFileAtomic(file, serializeImageLock(lock));
  } catch (err) {
    throw new UserError(`Image lock file ${file} could not be written: ${errorMessage(err)}.`);
  }
}
