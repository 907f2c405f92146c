// What each task ships and at which version: the fingerprint of a task (its task.json without the
// version, icon, localization files, every repository source its bundle is built from and the
// name@version of every npm package bundled), the recorded baseline (release-baseline.json: the
// version and fingerprint each task had when it was last bumped) and the checks `npm test` runs:
// a task whose shipped files changed needs a higher version, and no version ever goes down, both
// against the baseline (works in a fresh clone without tags) and against the newest release tag
// `v<major>.<minor>.<patch>` when the clone has one.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { entryPoints } from './build.mjs';

export const BASELINE_FILE = 'release-baseline.json';
const TASK_FILES = /^(task\.json|task\.loc\.json|icon\.png|Strings\/.+)$/;

const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));
export const versionOf = (v) => `${v.Major}.${v.Minor}.${v.Patch}`;

/** -1, 0 or 1 as semver `a` is lower, equal or higher than `b` (x.y.z only). */
export function compareVersions(a, b) {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

/** The shipped tasks of the repository at `dir`: name, folder (relative), task.json version. */
export function tasksOf(dir) {
  const tasksDir = path.join(dir, 'tasks');
  return fs
    .readdirSync(tasksDir)
    .filter((n) => /V\d+$/.test(n) && fs.existsSync(path.join(tasksDir, n, 'task.json')))
    .sort()
    .map((folder) => {
      const json = readJson(path.join(tasksDir, folder, 'task.json'));
      return { name: json.name, folder: `tasks/${folder}`, version: versionOf(json.version) };
    });
}

function listFiles(dir, base = dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(p, base) : [path.relative(base, p).split(path.sep).join('/')];
  });
}

/** What a task's bundle is made of: repository files (relative) and bundled packages (name@version). */
export async function bundleInputs(dir, folder) {
  dir = path.resolve(dir);
  const result = await esbuild.build({
    entryPoints: entryPoints(path.join(dir, folder)),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    write: false,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: dir,
    outdir: path.join(dir, 'build', 'fingerprint'),
  });
  const files = new Set();
  const packages = new Set();
  for (const input of Object.keys(result.metafile.inputs)) {
    const m = /^(.*node_modules\/(@[^/]+\/[^/]+|[^/]+))\//.exec(input);
    if (!m) files.add(input);
    else packages.add(`${m[2]}@${readJson(path.join(dir, m[1], 'package.json')).version}`);
  }
  for (const f of listFiles(path.join(dir, folder)).filter((f) => TASK_FILES.test(f)))
    files.add(`${folder}/${f}`);
  return { files: [...files].sort(), packages: [...packages].sort() };
}

/** A file's bytes as shipped: task.json files without their version, which the check compares apart. */
function shippedBytes(file, bytes) {
  if (!/(^|\/)task(\.loc)?\.json$/.test(file)) return bytes;
  const json = JSON.parse(bytes.toString('utf8'));
  delete json.version;
  return Buffer.from(JSON.stringify(json));
}

/** sha256 over the task's shipped inputs, as read by `read(file)` (the working tree, or a tag). */
export function fingerprint(inputs, read) {
  const hash = crypto.createHash('sha256');
  for (const file of inputs.files) {
    const bytes = read(file);
    hash.update(
      `${file}\0${bytes === undefined ? '-' : crypto.createHash('sha256').update(shippedBytes(file, bytes)).digest('hex')}\n`,
    );
  }
  for (const p of inputs.packages) hash.update(`${p}\n`);
  return `sha256:${hash.digest('hex')}`;
}

export const workingTree = (dir) => (file) => {
  const p = path.join(dir, file);
  return fs.existsSync(p) ? fs.readFileSync(p) : undefined;
};

export function readBaseline(dir) {
  const file = path.join(dir, BASELINE_FILE);
  return fs.existsSync(file) ? readJson(file) : { extension: '0.0.0', tasks: {} };
}

export function writeBaseline(dir, baseline) {
  fs.writeFileSync(path.join(dir, BASELINE_FILE), JSON.stringify(baseline, null, 2) + '\n');
}

const git = (dir, args) => spawnSync('git', args, { cwd: dir, maxBuffer: 64 * 1024 * 1024 });

/** The newest release tag reachable from HEAD (`v1.2.3`), or undefined (no git, no tags, shallow clone). */
export function lastReleaseTag(dir) {
  const r = git(dir, ['describe', '--tags', '--abbrev=0', '--match', 'v[0-9]*.[0-9]*.[0-9]*', 'HEAD']);
  return r.status === 0 ? r.stdout.toString('utf8').trim() : undefined;
}

/** A reader of files as they were at `ref`. */
export const atRef = (dir, ref) => (file) => {
  const r = git(dir, ['show', `${ref}:${file}`]);
  return r.status === 0 ? r.stdout : undefined;
};

/**
 * Problems (strings) with the versions of the repository at `dir`, compared with the baseline and
 * with the last release tag if there is one. `inputsOf(task)` gives each task's bundle inputs.
 */
export async function versionProblems(dir) {
  const problems = [];
  const baseline = readBaseline(dir);
  const extension = readJson(path.join(dir, 'vss-extension.json')).version;
  const tag = lastReleaseTag(dir);
  const compareWith = [{ label: BASELINE_FILE, extension: baseline.extension, tasks: baseline.tasks }];
  const bumpHint = (name) =>
    `run \`npm run version -- ${name} patch\` (or minor) and describe the change in CHANGELOG.md`;
  let tagTasks;
  if (tag) {
    const tagManifest = atRef(dir, tag)('vss-extension.json');
    tagTasks = {
      label: `release tag ${tag}`,
      extension: tagManifest ? JSON.parse(tagManifest.toString('utf8')).version : '0.0.0',
      tasks: {},
    };
    compareWith.push(tagTasks);
  }
  const bumpedSince = new Set();
  for (const task of tasksOf(dir)) {
    const inputs = await bundleInputs(dir, task.folder);
    const now = fingerprint(inputs, workingTree(dir));
    if (tagTasks) {
      const json = atRef(dir, tag)(`${task.folder}/task.json`);
      if (json)
        tagTasks.tasks[task.name] = {
          version: versionOf(JSON.parse(json.toString('utf8')).version),
          fingerprint: fingerprint(inputs, atRef(dir, tag)),
        };
    }
    if (!baseline.tasks[task.name]) {
      problems.push(
        `${task.name}: not in ${BASELINE_FILE}; record it with \`npm run version -- extension patch\``,
      );
    }
    for (const base of compareWith) {
      const then = base.tasks[task.name];
      if (!then) continue;
      const order = compareVersions(task.version, then.version);
      if (order > 0) bumpedSince.add(base.label);
      if (order < 0)
        problems.push(
          `${task.name}: version ${task.version} is lower than ${then.version} in ${base.label}; versions never go down`,
        );
      else if (order === 0 && then.fingerprint !== now) {
        problems.push(
          `${task.name}: its shipped files changed since ${base.label} but its version is still ${task.version}; agents would keep running the old code: ${bumpHint(task.name)}`,
        );
      }
    }
  }
  for (const base of compareWith) {
    const order = compareVersions(extension, base.extension);
    if (order < 0)
      problems.push(
        `extension: version ${extension} is lower than ${base.extension} in ${base.label}; versions never go down`,
      );
    else if (order === 0 && bumpedSince.has(base.label))
      problems.push(
        `extension: a task version went up but the extension version is still ${extension}: run \`npm run version -- extension patch\``,
      );
  }
  return problems;
}
