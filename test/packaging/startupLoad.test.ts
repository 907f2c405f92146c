// What each packaged task loads before it reads its inputs (issue 15, start-up): told by what Node
// and the bundle hold, never by a time. Run with no inputs, a task fails right after reading them.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { disposeTaskRuns, runTask } from '../support/taskRunner';
import { repoRoot, toolPath } from '../support/tools';

interface Metafile {
  outputs: Record<string, { imports: { path: string; kind: string }[]; inputs: Record<string, unknown> }>;
}

const root = repoRoot();
const shipped = fs
  .readdirSync(path.join(root, 'tasks'))
  .filter((n) => /V\d+$/.test(n) && fs.existsSync(path.join(root, 'tasks', n, 'task.json')));

/** The source files of what main.mjs loads before it runs (itself and its static imports). */
function startupInputs(task: string): string[] {
  const meta = JSON.parse(
    fs.readFileSync(path.join(root, 'build', 'meta', `${task}.json`), 'utf8'),
  ) as Metafile;
  const main = Object.keys(meta.outputs).find((f) => f.endsWith(`${task}/main.mjs`)) ?? '';
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file) || !meta.outputs[file]) return;
    seen.add(file);
    for (const i of meta.outputs[file].imports) if (i.kind === 'import-statement') visit(i.path);
  };
  visit(main);
  return [...seen].flatMap((f) => Object.keys(meta.outputs[f]?.inputs ?? {}));
}

describe('start-up: what a task loads before it reads its inputs', function () {
  this.timeout(120_000);
  let preloadDir: string;
  before(() => (preloadDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-startup-'))));
  after(() => {
    disposeTaskRuns();
    fs.rmSync(preloadDir, { recursive: true, force: true });
  });

  it('loads no Node module it did not ask for (undici from an ES import of node:http; node:https and node:tls before a connection)', async () => {
    const preload = path.join(preloadDir, 'loaded.js');
    fs.writeFileSync(
      preload,
      "process.on('exit', () => process.stdout.write('node modules loaded: ' + " +
        'JSON.stringify(process.moduleLoadList.filter((m) => /undici|NativeModule (https|tls|_tls_wrap)$/.test(m))) + "\\n"));\n',
    );
    for (const task of shipped) {
      const run = await runTask({
        task: { shipped: task },
        inputs: {},
        node: toolPath('NODE24_BIN'),
        env: { NODE_OPTIONS: `--require ${preload}` },
      });
      assert.equal(run.agentResult, 'Failed', `${task} without inputs`);
      const loaded = /^node modules loaded: (.*)$/m.exec(run.stdout)?.[1];
      assert.ok(loaded, `${task}: the preload reported what was loaded`);
      const modules = JSON.parse(loaded) as string[];
      assert.deepEqual(
        modules.filter((m) => /undici/.test(m)),
        [],
        `${task} loaded undici at start-up`,
      );
      // OpenSSL's set-up: about a third of `node -e 0`, for a run that never opened a connection.
      assert.deepEqual(
        modules.filter((m) => !/undici/.test(m)),
        [],
        `${task} loaded TLS at start-up`,
      );
    }
  });

  it('starts on the Node20_1 handler (Node 20) and on Node 24 without a word of its own outside the log', async () => {
    for (const node of [process.execPath, toolPath('NODE24_BIN')]) {
      for (const task of shipped) {
        const run = await runTask({ task: { shipped: task }, inputs: {}, node });
        assert.equal(run.agentResult, 'Failed', `${task} without inputs on ${node}`);
        // e.g. a V8 flag the handler's Node does not know: "Error: unrecognized flag ...".
        assert.doesNotMatch(
          `${run.stdout}\n${run.stderr}`,
          /unrecognized flag|Try --help/,
          `${task} on ${node}`,
        );
      }
    }
  });

  it('a task that runs no Helm starts without the Helm library and yaml', () => {
    // PinImageDigests parses YAML, but only once it scans files (its inputs read first).
    for (const task of ['PromoteImageV1', 'InjectKeyVaultSecretsV1', 'PinImageDigestsV1']) {
      const helm = startupInputs(task).filter((i) =>
        /(^|\/)tasks\/common\/helm\/|node_modules\/yaml\//.test(i),
      );
      assert.deepEqual(helm, [], `${task} loads at start-up`);
    }
  });

  it('no task starts with the Azure SDK: the Key Vault client and its HTTP runtime load on the first request to a vault', () => {
    for (const task of shipped) {
      const sdk = startupInputs(task).filter((i) => /node_modules\/(@azure|@typespec)\//.test(i));
      assert.deepEqual(sdk, [], `${task} loads at start-up`);
    }
  });
});
