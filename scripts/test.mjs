// The test command: provision tools, build and package (public and dev), lint, format check, audit
// of the production dependencies, then every mocha test. Ends with a plain
// `N passed, N failed, N skipped` line; the build, lint, format and audit steps count as one check
// each, and a skipped test (mocha 'pending') or an audit that could not be made counts as skipped.
import fs from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';
import { build } from './build.mjs';
import { audit } from './audit.mjs';
import { bin, root, run, step } from './lib.mjs';
import { pack } from './package.mjs';
import { provision } from './provision.mjs';

let passed = 0;
let failed = 0;
let skipped = 0;
const check = (ok) => (ok ? passed++ : failed++);
const summary = () => `${passed} passed, ${failed} failed, ${skipped} skipped`;

function testFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return testFiles(p);
    return e.name.endsWith('.test.js') ? [p] : [];
  });
}

/**
 * A compiled test whose source still exists: tsc never deletes out/, so a test moved or removed
 * would otherwise run again from its old place.
 */
const hasSource = (file) =>
  fs.existsSync(path.join(root, path.relative(path.join(root, 'out'), file)).replace(/\.js$/, '.ts'));

/**
 * Task-level test files run a second time with the task bundles on Node 24 (NODE_FOR_TASKS; the
 * runner then picks the Node24 handler): at least one full pass of every task, the workload
 * identity path (which printed DEP0169 there) and the pre-job stage included.
 */
const NODE24_TESTS = [
  'tasks/PromoteImage/promoteImage.test.js',
  'tasks/PromoteImage/promoteAcr.test.js',
  'tasks/PinImageDigests/pinTask.test.js',
  'tasks/PinImageDigests/verifyTask.test.js',
  'tasks/InjectKeyVaultSecrets/injectVariables.test.js',
  'tasks/InjectKeyVaultSecrets/injectFiles.test.js',
  'tasks/InjectKeyVaultSecrets/dropInAzureKeyVault.test.js',
  'tasks/DeployHelmChart/deployHelmChart.test.js',
  'tasks/DeployHelmChart/dropInHelmDeploy.test.js',
  'tasks/PublishHelmChart/publishHelmChart.test.js',
  'tasks/PublishHelmChart/publishEntra.test.js',
];

/** Runs mocha over `files` (a fresh instance, the files unloaded first), counting into the totals. */
async function runMocha(files) {
  const mocha = new Mocha({ reporter: 'spec', timeout: 60_000, slow: 5_000 });
  files.forEach((f) => mocha.addFile(f));
  await new Promise((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on('pass', () => passed++);
    runner.on('fail', () => failed++);
    runner.on('pending', () => skipped++);
  });
  mocha.unloadFiles();
  mocha.dispose();
}

async function main() {
  const only = process.argv.slice(2); // optional: substrings of test file paths
  let built = true;
  try {
    provision();
    await build();
    pack({ dev: false });
    pack({ dev: true });
  } catch (err) {
    console.error(`\nBuild failed: ${err.message}`);
    built = false;
  }
  check(built);
  if (only.length === 0) {
    step('Lint (eslint, type-checked)');
    check(run(bin('eslint'), ['--max-warnings=0', '.']));
    step('Format (prettier --check)');
    check(run(bin('prettier'), ['--check', '--log-level=warn', '.']));
    step('Audit (npm audit --omit=dev: no high or critical advisory)');
    let verdict;
    try {
      verdict = audit();
    } catch (err) {
      console.error(`  ${err.message}`);
      verdict = 'failed';
    }
    if (verdict === 'skipped') skipped++;
    else check(verdict === 'passed');
  }
  if (built) {
    step('Tests (mocha)');
    const files = testFiles(path.join(root, 'out', 'test'))
      .filter(hasSource)
      .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
      .sort();
    await runMocha(files);
    const again = files.filter((f) => NODE24_TESTS.some((t) => f.endsWith(path.join('out', 'test', t))));
    const node24 = JSON.parse(fs.readFileSync(path.join(root, '.tools', 'env.json'), 'utf8')).NODE24_BIN;
    if (again.length > 0) {
      step(`Task-level tests again, the tasks on Node 24 (${node24})`);
      process.env.NODE_FOR_TASKS = node24;
      await runMocha(again);
      delete process.env.NODE_FOR_TASKS;
    }
  }
  console.log(`\n${summary()}`);
  process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
}

main().catch((err) => {
  console.error(err);
  failed++;
  console.log(`\n${summary()}`);
  process.exitCode = 1;
});
