// Runs tfx-cli in this process with the Marketplace token read from stdin, so the token is never
// on a command line: `/proc/<pid>/cmdline` (what `ps` shows every local user) holds only
// `node tfx-token-stdin.cjs extension publish ...`. tfx reads `--token` from process.argv inside
// this process, which is not what the kernel exposes. Usage (by scripts/publish.mjs only):
//   node tfx-token-stdin.cjs <tfx arguments without --token>   (token on stdin, then EOF)
'use strict';
const path = require('node:path');

const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  const token = Buffer.concat(chunks).toString('utf8').trim();
  if (token === '') {
    process.stderr.write('tfx-token-stdin: no token on stdin\n');
    process.exit(2);
  }
  const tfx = path.join(path.dirname(require.resolve('tfx-cli/package.json')), '_build', 'tfx-cli.js');
  process.argv = [process.argv[0], tfx, ...process.argv.slice(2), '--auth-type', 'pat', '--token', token];
  require(tfx);
});
