// `npm run editor-preview [-- <dir>]`: builds, then writes one static HTML page per task showing it
// as the classic editor lays it out (out/test/editor/previewMain.js; default dist/editor-preview/).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { build } from './build.mjs';
import { root, step } from './lib.mjs';

await build();
step('Classic-editor preview pages');
const result = spawnSync(
  process.execPath,
  [path.join(root, 'out', 'test', 'editor', 'previewMain.js'), ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
process.exitCode = result.status ?? 1;
