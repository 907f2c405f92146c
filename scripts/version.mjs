// `npm run version -- <TaskName|all|extension> <major|minor|patch>`: bumps the named task's
// task.json version (every task's with `all`) and the extension version by the same step, records
// what the bumped tasks now ship in release-baseline.json (see release-state.mjs) and opens a
// CHANGELOG.md entry to fill in. Only the version fields are rewritten; the files keep their layout.
import fs from 'node:fs';
import path from 'node:path';
import {
  bundleInputs,
  fingerprint,
  readBaseline,
  tasksOf,
  workingTree,
  writeBaseline,
} from './release-state.mjs';
import { root } from './lib.mjs';

const LEVELS = ['major', 'minor', 'patch'];
export const PLACEHOLDER = '<describe the change>';

export function bump(version, level) {
  const [major, minor, patch] = version.split('.').map(Number);
  if (level === 'major') return `${major + 1}.0.0`;
  if (level === 'minor') return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
}

/** Rewrites the Major/Minor/Patch numbers of a task.json's "version" object in place. */
function setTaskVersion(file, version) {
  const text = fs.readFileSync(file, 'utf8');
  const [major, minor, patch] = version.split('.');
  const block = /("version"\s*:\s*\{)([^}]*)(\})/;
  if (!block.test(text)) throw new Error(`${file}: no "version": { Major, Minor, Patch } object`);
  const updated = text.replace(
    block,
    (_m, open, body, close) =>
      open +
      body
        .replace(/("Major"\s*:\s*)\d+/, `$1${major}`)
        .replace(/("Minor"\s*:\s*)\d+/, `$1${minor}`)
        .replace(/("Patch"\s*:\s*)\d+/, `$1${patch}`) +
      close,
  );
  fs.writeFileSync(file, updated);
}

function setExtensionVersion(file, version) {
  const text = fs.readFileSync(file, 'utf8');
  const updated = text.replace(/("version"\s*:\s*")[^"]*(")/, `$1${version}$2`);
  if (updated === text && !text.includes(`"version": "${version}"`))
    throw new Error(`${file}: no "version" field`);
  fs.writeFileSync(file, updated);
}

function addChangelogEntry(file, version, lines) {
  const header =
    '# Changelog\n\nEvery release of the extension, newest first. A task version changes only when what it ships does.\n';
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : header;
  const entry = `## ${version}\n\n${lines.map((l) => `- ${l}`).join('\n')}\n`;
  const at = existing.search(/^## /m);
  const next =
    at < 0 ? `${existing.trimEnd()}\n\n${entry}` : `${existing.slice(0, at)}${entry}\n${existing.slice(at)}`;
  fs.writeFileSync(file, next);
}

/** Bumps in the repository at `dir`; returns { extension, tasks: [{name, from, to}] }. */
export async function version(dir, target, level) {
  if (!LEVELS.includes(level)) throw new Error(`level '${level}': allowed values are ${LEVELS.join(', ')}`);
  const tasks = tasksOf(dir);
  const names = tasks.map((t) => t.name);
  const chosen =
    target === 'extension'
      ? []
      : target === 'all'
        ? tasks
        : tasks.filter((t) => t.name.toLowerCase() === target.toLowerCase());
  if (target !== 'extension' && target !== 'all' && chosen.length === 0) {
    throw new Error(
      `'${target}' is not a task: allowed values are ${[...names, 'all', 'extension'].join(', ')}`,
    );
  }
  if (level === 'major' && chosen.length > 0) {
    throw new Error(
      `a task's major version is the @N pipelines reference: make tasks/<Name>V${'<N+1>'} beside the old folder instead of bumping ${chosen.map((t) => t.name).join(', ')} in place`,
    );
  }
  const manifestFile = path.join(dir, 'vss-extension.json');
  const fromExtension = JSON.parse(fs.readFileSync(manifestFile, 'utf8')).version;
  const toExtension = bump(fromExtension, level);
  const changed = [];
  for (const task of chosen) {
    const to = bump(task.version, level);
    for (const f of ['task.json', 'task.loc.json']) {
      const file = path.join(dir, task.folder, f);
      if (fs.existsSync(file)) setTaskVersion(file, to);
    }
    changed.push({ name: task.name, from: task.version, to });
  }
  setExtensionVersion(manifestFile, toExtension);
  const baseline = readBaseline(dir);
  baseline.extension = toExtension;
  for (const task of tasksOf(dir)) {
    if (changed.some((c) => c.name === task.name) || !baseline.tasks[task.name]) {
      const inputs = await bundleInputs(dir, task.folder);
      baseline.tasks[task.name] = {
        version: task.version,
        fingerprint: fingerprint(inputs, workingTree(dir)),
      };
    }
  }
  baseline.tasks = Object.fromEntries(Object.entries(baseline.tasks).sort(([a], [b]) => a.localeCompare(b)));
  writeBaseline(dir, baseline);
  const lines = changed.length
    ? changed.map((c) => `${c.name}@${c.to.split('.')[0]} ${c.to}: ${PLACEHOLDER}`)
    : [`Extension: ${PLACEHOLDER}`];
  addChangelogEntry(path.join(dir, 'CHANGELOG.md'), toExtension, lines);
  return { extension: { from: fromExtension, to: toExtension }, tasks: changed };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [target, level, ...rest] = process.argv.slice(2);
  try {
    if (!target || !level || rest.length > 0) {
      throw new Error('usage: npm run version -- <TaskName|all|extension> <major|minor|patch>');
    }
    const result = await version(root, target, level);
    for (const t of result.tasks) console.log(`${t.name}: ${t.from} -> ${t.to}`);
    console.log(`extension: ${result.extension.from} -> ${result.extension.to}`);
    console.log(`Now describe the change in CHANGELOG.md (replace '${PLACEHOLDER}').`);
  } catch (err) {
    console.error(`version: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
