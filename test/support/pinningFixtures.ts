// Copies a pinning fixture folder to a temp dir, so a test can rewrite the files in place.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './tools';
import { pinImages, type PinOptions, type PinReport } from '../../tasks/common/pinning/pinImages';
import type { Logger } from '../../tasks/common/log';

export const FIXTURES = path.join(repoRoot(), 'test', 'fixtures', 'pinning');

/** `values.yaml` -> `values.expected.yaml`; `Dockerfile` -> `Dockerfile.expected`. */
export function expectedName(file: string, variant = ''): string {
  const dot = file.lastIndexOf('.');
  const infix = `${variant ? `${variant}.` : ''}expected`;
  return dot > 0 ? `${file.slice(0, dot)}.${infix}${file.slice(dot)}` : `${file}.${infix}`;
}

export const isInputFile = (name: string): boolean => !/\.expected(\.|$)/.test(name);

/** A temp copy of a fixture folder's input files (not the expected ones). */
export function copyFixture(caseName: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pin-${caseName}-`));
  for (const name of fs.readdirSync(path.join(FIXTURES, caseName)).filter(isInputFile)) {
    fs.copyFileSync(path.join(FIXTURES, caseName, name), path.join(dir, name));
  }
  return dir;
}

export function inputFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter(isInputFile)
    .sort()
    .map((n) => path.join(dir, n));
}

/** A logger that keeps what it is told. */
export class RecordingLogger implements Logger {
  readonly infos: string[] = [];
  readonly warnings: string[] = [];
  info(message: string): void {
    this.infos.push(message);
  }
  debug(): void {}
  warn(message: string): void {
    this.warnings.push(message);
  }
  group<T>(_title: string, body: () => Promise<T>): Promise<T> {
    return body();
  }
}

export function pinDefaults(
  dir: string,
  overrides: Partial<PinOptions> & Pick<PinOptions, 'resolve'>,
): PinOptions {
  return {
    action: 'pin',
    workingDirectory: dir,
    files: inputFiles(dir),
    format: 'tagAndDigest',
    include: [],
    exclude: [],
    failOnMutableTags: true,
    failOnDrift: false,
    concurrency: 4,
    logger: new RecordingLogger(),
    now: () => new Date('2026-01-02T03:04:05.000Z'),
    ...overrides,
  };
}

export function runPin(
  dir: string,
  overrides: Partial<PinOptions> & Pick<PinOptions, 'resolve'>,
): Promise<PinReport> {
  return pinImages(pinDefaults(dir, overrides));
}

/** Every file under a folder (relative path -> bytes and modification time), to prove nothing changed. */
export function snapshot(dir: string, prefix = ''): Map<string, { text: string; mtimeMs: number }> {
  const files = new Map<string, { text: string; mtimeMs: number }>();
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    const rel = `${prefix}${entry.name}`;
    if (entry.isDirectory()) snapshot(file, `${rel}/`).forEach((v, k) => files.set(k, v));
    else files.set(rel, { text: fs.readFileSync(file, 'utf8'), mtimeMs: fs.statSync(file).mtimeMs });
  }
  return files;
}
