// The copy engine's front door: copy an image (and its referrers) between repositories or registries.
export { copyImage, type CopyChecks, type CopyOptions, type CopyReport } from './copy';
export type { CopyProgress } from './progress';
