// Real Docker credential helpers for tests: small shell scripts `docker-credential-<name>` in a temp
// folder, to be put first on PATH. Each records the server URL it was asked for.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface HelperBin {
  /** The folder holding the scripts (put it first on PATH). */
  readonly dir: string;
  /** The server URLs `docker-credential-<name>` was asked for, in order. */
  asked(name: string): string[];
  remove(): void;
}

/** Writes one script per entry: `name` -> the shell body run after reading the server URL into $url. */
export function writeCredentialHelpers(scripts: Record<string, string>): HelperBin {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docker-helpers-'));
  for (const [name, body] of Object.entries(scripts)) {
    const file = path.join(dir, `docker-credential-${name}`);
    const text = [
      '#!/bin/sh',
      '[ "$1" = get ] || { echo "unexpected action $1" >&2; exit 3; }',
      'read -r url',
      `printf '%s\\n' "$url" >> "${dir}/${name}.asked"`,
      body,
      '',
    ].join('\n');
    fs.writeFileSync(file, text, { mode: 0o755 });
  }
  return {
    dir,
    asked: (name) => {
      const file = path.join(dir, `${name}.asked`);
      return fs.existsSync(file)
        ? fs
            .readFileSync(file, 'utf8')
            .split('\n')
            .filter((l) => l !== '')
        : [];
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** A Docker config folder holding `config`; removed by the caller. */
export function writeDockerConfig(config: unknown): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docker-config-'));
  fs.writeFileSync(
    path.join(dir, 'config.json'),
    typeof config === 'string' ? config : JSON.stringify(config),
  );
  return dir;
}
