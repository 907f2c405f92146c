// `npm run bench`: builds and packs, then runs every benchmark against local registries and
// emulators and prints their tables. Benchmarks measure; they never pass or fail on a time.
import fs from 'node:fs';
import path from 'node:path';
import { build } from './build.mjs';
import { root, run, step } from './lib.mjs';
import { pack } from './package.mjs';
import { provision } from './provision.mjs';

const BENCHES = ['bench-promote.mjs', 'bench-pin.mjs', 'bench-keyvault.mjs'];

async function main() {
  provision();
  await build();
  pack({ dev: false });
  let failed = 0;
  for (const bench of BENCHES) {
    const file = path.join(root, 'scripts', bench);
    if (!fs.existsSync(file)) continue;
    step(`Benchmark ${bench}`);
    if (!run(process.execPath, [file])) failed++;
  }
  process.exitCode = failed === 0 ? 0 : 1;
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
