// Shared pieces of the Helm tests: the two Helm binaries, fixture charts copied to temp folders,
// and a helm runner with private folders for checks the tests make themselves.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runProcess, type ProcessResult } from '../../tasks/common/helm/processRunner';
import { repoRoot, toolPath, type ToolName } from './tools';

export interface HelmUnderTest {
  readonly name: string;
  readonly tool: ToolName;
  readonly major: 3 | 4;
}

export const HELMS: readonly HelmUnderTest[] = [
  { name: 'Helm 3', tool: 'HELM3_BIN', major: 3 },
  { name: 'Helm 4', tool: 'HELM4_BIN', major: 4 },
];

export const fixtureChart = (name: string): string =>
  path.join(repoRoot(), 'test', 'fixtures', 'charts', name);

/** Temp folders made by the tests; removeTempDirs() (an after hook) deletes them. */
const tempDirs: string[] = [];

export function makeTempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `rg-helm-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** A copy of a fixture chart in a temp folder, with files replaced or added. */
export function copyChart(name: string, changes: Record<string, string> = {}): string {
  const dir = path.join(makeTempDir(name), name);
  fs.cpSync(fixtureChart(name), dir, { recursive: true });
  for (const [file, text] of Object.entries(changes)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

/** Copies of fixture charts side by side in one temp folder (for `file://../x` dependencies). */
export function copyChartsTogether(names: readonly string[]): string {
  const dir = makeTempDir('charts');
  for (const name of names) fs.cpSync(fixtureChart(name), path.join(dir, name), { recursive: true });
  return dir;
}

/** Runs a helm binary with private config, cache and registry folders (for checks outside the task). */
export function helmCommand(helm: HelmUnderTest): (args: string[], stdin?: string) => Promise<ProcessResult> {
  const home = makeTempDir(`home${helm.major}`);
  const env = {
    ...process.env,
    HELM_CONFIG_HOME: path.join(home, 'config'),
    HELM_CACHE_HOME: path.join(home, 'cache'),
    HELM_DATA_HOME: path.join(home, 'data'),
    HELM_REGISTRY_CONFIG: path.join(home, 'registry.json'),
    HELM_PLUGINS: path.join(home, 'plugins'),
  };
  const bin = toolPath(helm.tool);
  return (args, stdin) => runProcess(bin, args, { env, ...(stdin !== undefined ? { stdin } : {}) });
}
