// Files on disk: atomic writes and replacements, and the workspace boundary every file a task
// reads or writes is held to.
export { replaceFilesAtomically, writeFileAtomic } from './atomicFiles';
export { assertNoLinksLeaving, confineFiles, realLocation, type AllowedFolder } from './workspaceBoundary';
