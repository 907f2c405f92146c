// Paths of the external binaries the tests, the demo and the runner use. Order: an environment variable of the same name,
// then .tools/env.json (written by `node scripts/provision.mjs`), then a search of PATH.
import fs from 'node:fs';
import path from 'node:path';

export type ToolName =
  | 'DOCKER_REGISTRY_BIN'
  | 'OPENSSL_BIN'
  | 'UNZIP_BIN'
  | 'SKOPEO_BIN'
  | 'HELM3_BIN'
  | 'HELM4_BIN'
  | 'KUBECTL31_BIN'
  | 'KUBECTL34_BIN'
  | 'CHROMIUM_BIN'
  | 'NODE24_BIN';

/**
 * Executable names tried on PATH when env.json has no entry. `helm` may be either major version:
 * check it. kubectl is never taken from PATH: its minor version must match the Helm it comes with.
 */
const pathNames: Record<ToolName, string[]> = {
  DOCKER_REGISTRY_BIN: ['docker-registry', 'registry'],
  OPENSSL_BIN: ['openssl'],
  UNZIP_BIN: ['unzip'],
  SKOPEO_BIN: ['skopeo'],
  HELM3_BIN: ['helm3', 'helm'],
  HELM4_BIN: ['helm4', 'helm'],
  KUBECTL31_BIN: [],
  KUBECTL34_BIN: [],
  CHROMIUM_BIN: ['chromium', 'chromium-browser'],
  NODE24_BIN: [],
};

/** The repository root: the nearest folder above this file holding package.json (works from out/ too). */
export function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function readEnvJson(): Partial<Record<ToolName, string>> {
  const file = path.join(repoRoot(), '.tools', 'env.json');
  if (!fs.existsSync(file)) return {};
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Record<ToolName, string>>;
}

function searchPath(names: string[]): string | undefined {
  const dirs = (process.env['PATH'] ?? '').split(path.delimiter).filter((d) => d !== '');
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = path.join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

/** The binary's path, or undefined when it is nowhere to be found. */
export function findTool(name: ToolName): string | undefined {
  const fromEnv = process.env[name];
  if (fromEnv && isExecutable(fromEnv)) return fromEnv;
  const fromJson = readEnvJson()[name];
  if (fromJson && isExecutable(fromJson)) return fromJson;
  return searchPath(pathNames[name]);
}

/** The binary's path; throws a message saying how to provision it when it is missing. */
export function toolPath(name: ToolName): string {
  const found = findTool(name);
  if (!found) {
    throw new Error(
      `${name} not found (env var, .tools/env.json, PATH: ${pathNames[name].join(', ')}); run node scripts/provision.mjs`,
    );
  }
  return found;
}
