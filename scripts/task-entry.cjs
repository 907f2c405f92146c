// The file the agent runs (task.json target `index.js`), copied into every task folder by the
// build. It turns on Node's compile cache (Node >= 22.1, the Node24 handler) in a folder the agent
// offers for it, then loads the task: main.mjs, which imports chunks/*.mjs (the heavy ones only when a run needs them).
// The cache goes to Agent.ToolsDirectory (kept between jobs), else Agent.TempDirectory, never to
// the sources or the work folder; a folder that cannot be written only means no cache.
'use strict';
const path = require('node:path');
const nodeModule = require('node:module');

const cacheRoot = process.env.AGENT_TOOLSDIRECTORY || process.env.AGENT_TEMPDIRECTORY;
if (cacheRoot && typeof nodeModule.enableCompileCache === 'function') {
  try {
    nodeModule.enableCompileCache(path.join(cacheRoot, 'release-guard-node-compile-cache'));
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
  process.stdout.write(`##vso[task.complete result=Failed;]${message}\n`);
  process.exitCode = 1;
});
