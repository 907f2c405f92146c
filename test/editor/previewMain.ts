// `npm run editor-preview [-- <dir>]`: writes the classic-editor preview pages (default
// dist/editor-preview/) with pickers filled from the ARM emulator, then stops it.
import path from 'node:path';
import { repoRoot } from '../support/tools';
import { startEditorArm } from './editorEnvironment';
import { writePreviewSite } from './previewSite';

async function main(): Promise<void> {
  const dir = path.resolve(process.argv[2] ?? path.join(repoRoot(), 'dist', 'editor-preview'));
  const arm = await startEditorArm();
  try {
    const pages = await writePreviewSite(dir, arm);
    for (const page of pages) process.stdout.write(`${page.file}\n`);
  } finally {
    await arm.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
