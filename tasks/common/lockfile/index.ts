// The image lock file's front door: the one format PinImageDigests writes and PromoteImage reads.
export { findLocked } from './findLocked';
export {
  buildImageLock,
  serializeImageLock,
  type ImageLock,
  type LockOccurrence,
  type LockedImage,
} from './imageLock';
export { parseImageLock, readLockFile } from './readImageLock';
export { writeLockFile } from './writeImageLock';
