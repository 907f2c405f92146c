// The file the agent runs (task.json target `index.js`), copied into every task folder by the
// build. Under an agent it turns on Node's compile cache (module.enableCompileCache, Node >= 22.8:
// the Node24 handler) beside the code it caches, in the task's own folder: the same trust as the
// code, one cache per task version, gone with the task; never in the sources, the work folder or a
// folder other pipelines share (NODE_DISABLE_COMPILE_CACHE=1 turns it off; a folder that cannot be
// written only means no cache). Then it loads the task: main.mjs, which imports chunks/*.mjs (the
// heavy ones only when a run needs them).
'use strict';
const path = require('node:path');
const nodeModule = require('node:module');
const v8 = require('node:v8');

// A blob streamed at network speed allocates a new 64 KiB buffer per socket read, and every chunk
// also leaves a few KiB of short-lived objects (promises of the stream, hash and upload). A buffer
// is freed only when the young generation is scavenged; at its default size (up to 32 MiB) that
// happens once per 40-90 MiB of dead buffers. Capped at 1 MiB, a scavenge comes every few chunks
// and peak memory stays flat whatever the blob's size; the tasks' other work keeps little alive.
// The buffers a scavenge found dead are freed by it, not later by a background sweeper. (v8 documents
// runtime flag changes as best effort: both are read at every young-generation GC.) The cap's flag
// exists in Node 24's V8 (the Node24 handler, where it was measured); Node 20's V8 does not know it
// and would print an error line for it, so the Node20_1 handler keeps its default young generation.
if (Number(process.versions.node.split('.')[0]) >= 24) {
  v8.setFlagsFromString('--scavenger-max-new-space-capacity-mb=1');
}
v8.setFlagsFromString('--no-concurrent-array-buffer-sweeping');

if (process.env.AGENT_TEMPDIRECTORY && typeof nodeModule.enableCompileCache === 'function') {
  try {
    nodeModule.enableCompileCache(path.join(__dirname, '.node-compile-cache'));
  } catch {
    // No cache: the task only starts a little slower.
  }
}
/** The message escaped as task-lib escapes logging command data, so it cannot end the command. */
const escapeData = (text) =>
  text
    .replace(/%/g, '%AZP25')
    .replace(/\r/g, '%0D')
    .replace(/\n/g, '%0A')
    .replace(/]/g, '%5D')
    .replace(/;/g, '%3B');
import('./main.mjs').catch((err) => {
  const message = escapeData(`The task could not be loaded from ${__dirname}: ${String(err)}`);
  // As task-lib's setResult: the error as an issue (the log and the run's errors), then the result.
  process.stdout.write(`##vso[task.issue type=error;]${message}\n`);
  process.stdout.write(`##vso[task.complete result=Failed;]${message}\n`);
  process.exitCode = 1;
});
