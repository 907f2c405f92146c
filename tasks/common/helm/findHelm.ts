import fs from 'node:fs';
import path from 'node:path';
import { UserError, errorMessage } from '../errors';
import { checkSupportedHelm, parseHelmVersion, type HelmVersion } from './helmVersion';
import { runProcess } from './processRunner';

/** A Helm binary that was found and whose version is supported. */
export interface HelmBinary {
  readonly path: string;
  readonly version: HelmVersion;
}

function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    if (process.platform !== 'win32') fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `helm` on PATH (with PATHEXT on Windows), or undefined. */
export function searchPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = (env['PATH'] ?? env['Path'] ?? '').split(path.delimiter).filter((d) => d !== '');
  const exts = process.platform === 'win32' ? (env['PATHEXT'] ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext.toLowerCase());
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

/** The binary to use: `helmPath` (a file, or a folder holding helm), else `helm` on PATH. */
export function locateHelm(helmPath: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (helmPath) {
    const given = path.resolve(helmPath);
    if (fs.existsSync(given) && fs.statSync(given).isDirectory()) {
      const inside = searchPath('helm', { ...env, PATH: given });
      if (inside) return inside;
      throw new UserError(`The folder ${given} given as 'helmPath' holds no helm executable.`);
    }
    if (!isExecutableFile(given)) {
      throw new UserError(`'helmPath' ${given} is not an executable file.`);
    }
    return given;
  }
  const found = searchPath('helm', env);
  if (!found) {
    throw new UserError(
      "Helm was not found on PATH. Install it first (e.g. with HelmInstaller@1) or give its location in 'helmPath'.",
    );
  }
  return found;
}

/** Runs `helm version --short` and checks that the version is supported. */
export async function probeHelm(binary: string, env: NodeJS.ProcessEnv = process.env): Promise<HelmBinary> {
  let output: string;
  try {
    const result = await runProcess(binary, ['version', '--short'], { env, timeoutMs: 30_000 });
    output = `${result.stdout}\n${result.stderr}`;
  } catch (err) {
    throw new UserError(`Helm at ${binary} could not be started: ${errorMessage(err)}`);
  }
  const version = parseHelmVersion(output);
  if (!version) {
    throw new UserError(
      `${binary} did not print a Helm version (is it Helm?): ${output.trim().slice(0, 200)}`,
    );
  }
  checkSupportedHelm(version, binary);
  return { path: binary, version };
}
