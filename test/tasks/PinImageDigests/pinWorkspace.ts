// A workspace for task-level pinning tests: the task fixture files (test/fixtures/pinning/task)
// with REGISTRY replaced by the fixture registry's host, the images they name pushed to it, and
// the expected files with their `<digest:repo:tag>` tokens filled in.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type PushedImage, pushImage } from '../../emulators/registry/images';
import type { RegistryFixture } from '../../emulators/registry';
import { type TaskRun, runTask } from '../../support/taskRunner';
import { FIXTURES, expectedName, isInputFile } from '../../support/pinningFixtures';

export const TASK_FIXTURES = path.join(FIXTURES, 'task');

/** Every input file of the task fixture, relative, forward slashes. */
export function taskFixtureFiles(dir = TASK_FIXTURES, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const rel = `${prefix}${e.name}`;
    if (e.isDirectory()) return taskFixtureFiles(path.join(dir, e.name), `${rel}/`);
    return isInputFile(e.name) ? [rel] : [];
  });
}

/** The images the task fixture names: multi-platform OCI and Docker, single-platform of both. */
export const FIXTURE_IMAGES: Record<string, { format: 'oci' | 'docker'; platforms?: string[] }> = {
  'team/app:v1': { format: 'oci', platforms: ['linux/amd64', 'linux/arm64'] },
  'team/web:3.1': { format: 'docker', platforms: ['linux/amd64', 'linux/arm/v7'] },
  'team/worker:0.9': { format: 'oci', platforms: ['linux/amd64', 'linux/arm64'] },
  'team/base:1.0': { format: 'oci' },
  'team/tools:2.0': { format: 'docker' },
};

export async function pushFixtureImages(reg: RegistryFixture): Promise<Map<string, PushedImage>> {
  const pushed = new Map<string, PushedImage>();
  for (const [name, options] of Object.entries(FIXTURE_IMAGES)) {
    const [repository = '', tag] = name.split(':');
    pushed.set(
      name,
      await pushImage(reg, repository, { ...options, ...(tag ? { tag } : {}), layers: [256] }),
    );
  }
  return pushed;
}

/** A temp copy of the task fixture inputs naming `host`. */
export function createWorkspace(host: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pin-task-'));
  for (const rel of taskFixtureFiles()) {
    const target = path.join(dir, rel);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(
      target,
      fs.readFileSync(path.join(TASK_FIXTURES, rel), 'utf8').replaceAll('REGISTRY', host),
    );
  }
  return dir;
}

/** The expected text of `rel` for `host`, each `<digest:name>` token replaced by `digestOf(name)`. */
export function expectedText(rel: string, host: string, digestOf: (name: string) => string): string {
  const text = fs.readFileSync(path.join(TASK_FIXTURES, expectedName(rel)), 'utf8');
  return text.replaceAll('REGISTRY', host).replace(/<digest:([^>]+)>/g, (_m, name: string) => digestOf(name));
}

/** The digest of one platform's manifest of a pushed image. */
export function platformDigest(image: PushedImage, platform: string): string {
  const child = image.children.find((c) => c.platform === platform);
  if (!child) throw new Error(`${image.repository} has no ${platform} child`);
  return child.digest;
}

export const ALL_FILES = '**/*.yaml\n**/*.yml\n**/Dockerfile';

/** Runs the shipped PinImageDigests task on a workspace. */
export function runPinTask(workspace: string, inputs: Record<string, string>): Promise<TaskRun> {
  return runTask({
    task: { shipped: 'PinImageDigestsV1' },
    inputs: {
      files: ALL_FILES,
      workingDirectory: workspace,
      lockFile: path.join(workspace, 'out', 'image-lock.json'),
      ...inputs,
    },
  });
}
