import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { UserError } from '../errors';

/** What the publish and deploy flows read from a chart's Chart.yaml. */
export interface ChartMetadata {
  readonly name: string;
  readonly version: string;
  readonly appVersion?: string;
  readonly dependencies: number;
  /** Each dependency's `repository` (`oci://host/path`, `https://...`, `file://...`), where given. */
  readonly dependencyRepositories: readonly string[];
}

/** Reads `<chartDir>/Chart.yaml`; a folder without one is not a chart. */
export function readChartMetadata(chartDir: string): ChartMetadata {
  const file = path.join(chartDir, 'Chart.yaml');
  if (!fs.existsSync(file)) {
    throw new UserError(`${chartDir} is not a Helm chart folder: it has no Chart.yaml.`);
  }
  let doc: unknown;
  try {
    doc = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UserError(`${file} is not valid YAML: ${(err as Error).message}`);
  }
  const chart = (doc ?? {}) as Record<string, unknown>;
  const name = chart['name'];
  if (typeof name !== 'string' || name === '') throw new UserError(`${file} has no chart name.`);
  const deps = chart['dependencies'];
  const scalar = (value: unknown): string | undefined =>
    typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  const appVersion = scalar(chart['appVersion']);
  return {
    name,
    version: scalar(chart['version']) ?? '',
    ...(appVersion !== undefined ? { appVersion } : {}),
    dependencies: Array.isArray(deps) ? deps.length : 0,
    dependencyRepositories: Array.isArray(deps)
      ? deps.flatMap((d: unknown) => {
          const repository = (d as Record<string, unknown> | null)?.['repository'];
          return typeof repository === 'string' && repository.trim() !== '' ? [repository.trim()] : [];
        })
      : [],
  };
}
