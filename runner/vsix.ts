// Where task bundles are found for task-level tests: shipped tasks come out of the packaged
// .vsix (unpacked once per test process, removed at exit), so tests run exactly what ships;
// test-only tasks come from build/test-tasks (never shipped).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot, toolPath } from './tools';
import type { TaskRestrictions } from './logCommands';

/** The parts of task.json the runner needs. */
export interface TaskDefinition {
  name: string;
  friendlyName?: string;
  version?: { Major: number; Minor: number; Patch: number };
  minimumAgentVersion?: string;
  inputs?: {
    name: string;
    type: string;
    label?: string;
    defaultValue?: string | boolean;
    aliases?: string[];
  }[];
  execution?: Record<string, { target: string } | undefined>;
  prejobexecution?: Record<string, { target: string } | undefined>;
  postjobexecution?: Record<string, { target: string } | undefined>;
  restrictions?: TaskRestrictions;
}

let unpackedDir: string | undefined;

/** The public (non-dev) .vsix in dist/; the newest if there are several versions. */
export function vsixPath(): string {
  const dist = path.join(repoRoot(), 'dist');
  const candidates = fs.existsSync(dist)
    ? fs
        .readdirSync(dist)
        .filter((f) => f.endsWith('.vsix') && !/-dev-\d/.test(f))
        .map((f) => path.join(dist, f))
    : [];
  if (candidates.length === 0) {
    throw new Error(`no .vsix in ${dist}: run \`node scripts/build.mjs && node scripts/package.mjs\``);
  }
  return candidates.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0] as string;
}

/** The unpacked .vsix (unzipped on first use, removed when the process exits). */
export function unpackedVsixDir(): string {
  if (unpackedDir !== undefined) return unpackedDir;
  const vsix = vsixPath();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-vsix-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const unzip = spawnSync(toolPath('UNZIP_BIN'), ['-q', '-o', vsix, '-d', dir], { encoding: 'utf8' });
  if (unzip.error || unzip.status !== 0) {
    throw new Error(`unzip ${vsix} failed: ${unzip.error?.message ?? unzip.stderr}`);
  }
  unpackedDir = dir;
  return dir;
}

/** The script files of a task folder (index.js, main.mjs, chunks/*.mjs, a pre-job stub), relative to it. */
function scriptFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(c|m)?js$/.test(f))
    .sort();
}

/**
 * tasks/<name> inside the unpacked .vsix. Fails when its scripts differ from build/tasks/<name>,
 * i.e. the sources were rebuilt but not packaged again.
 */
export function shippedTaskDir(name: string): string {
  const dir = path.join(unpackedVsixDir(), 'tasks', name);
  if (!fs.existsSync(path.join(dir, 'task.json'))) {
    throw new Error(`${vsixPath()} has no tasks/${name}/task.json`);
  }
  const built = path.join(repoRoot(), 'build', 'tasks', name);
  if (fs.existsSync(built)) {
    const [want, have] = [scriptFiles(built), scriptFiles(dir)];
    const stale =
      want.join('\n') !== have.join('\n') ||
      want.some((f) => !fs.readFileSync(path.join(built, f)).equals(fs.readFileSync(path.join(dir, f))));
    if (stale) {
      throw new Error(
        `${path.basename(vsixPath())} is stale: its tasks/${name} scripts differ from build/tasks/${name}; ` +
          'run `node scripts/package.mjs`',
      );
    }
  }
  return dir;
}

/** build/test-tasks/<name>: a test-only task bundled from test/fixtures/tasks/<name>. */
export function testTaskDir(name: string): string {
  const dir = path.join(repoRoot(), 'build', 'test-tasks', name);
  if (!fs.existsSync(path.join(dir, 'index.js'))) {
    throw new Error(`no bundle at ${dir}: run \`node scripts/build.mjs\``);
  }
  return dir;
}

export function readTaskDefinition(taskDir: string): TaskDefinition {
  return JSON.parse(fs.readFileSync(path.join(taskDir, 'task.json'), 'utf8')) as TaskDefinition;
}

/** Every shipped task in the unpacked .vsix: its folder and task.json. */
export function shippedTasks(): { dir: string; def: TaskDefinition }[] {
  const tasks = path.join(unpackedVsixDir(), 'tasks');
  return fs
    .readdirSync(tasks)
    .map((name) => path.join(tasks, name))
    .filter((dir) => fs.existsSync(path.join(dir, 'task.json')))
    .map((dir) => ({ dir, def: readTaskDefinition(dir) }));
}
