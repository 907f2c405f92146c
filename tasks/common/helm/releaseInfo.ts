import { UserError } from '../errors';
import type { HelmRunner } from './helmRunner';

/** Where a release lives: its name, namespace and kube context. */
export interface ReleaseTarget {
  readonly release: string;
  readonly namespace?: string;
  readonly kubeContext?: string;
}

export interface ReleaseStatus {
  readonly revision: number;
  readonly status: string;
  readonly description: string;
}

export interface HistoryEntry {
  readonly revision: number;
  readonly updated: string;
  readonly status: string;
  readonly chart: string;
  readonly appVersion: string;
  readonly description: string;
}

/** `--namespace` and `--kube-context` for every command about the release. */
export function targetArgs(target: ReleaseTarget): string[] {
  return [
    ...(target.namespace ? [`--namespace=${target.namespace}`] : []),
    ...(target.kubeContext ? [`--kube-context=${target.kubeContext}`] : []),
  ];
}

/** Helm's release name rule: a DNS-1123 label of at most 53 characters. */
export function validateReleaseName(name: string): string {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 53) {
    throw new UserError(
      `Input 'releaseName' (${name}) is not a valid release name: lower-case letters, digits and '-', at most 53 characters.`,
    );
  }
  return name;
}

type Json = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`helm ${what} did not print JSON: ${text.slice(0, 200)}`);
  }
}

/** `helm status -o json`: the current revision and status; undefined when the release does not exist. */
export async function releaseStatus(
  helm: HelmRunner,
  target: ReleaseTarget,
): Promise<ReleaseStatus | undefined> {
  const result = await helm.run(['status', target.release, ...targetArgs(target), '--output=json']);
  if (result.code !== 0) {
    if (/not found/i.test(result.stderr)) return undefined;
    throw new UserError(`helm status ${target.release} failed: ${result.stderr.trim()}`);
  }
  const json = parseJson(result.stdout, 'status') as Json;
  const info = (json['info'] ?? {}) as Json;
  return {
    revision: Number(json['version'] ?? 0),
    status: str(info['status']),
    description: str(info['description']),
  };
}

/** `helm history -o json`, newest last, at most `max` entries; [] when the release does not exist. */
export async function releaseHistory(
  helm: HelmRunner,
  target: ReleaseTarget,
  max = 10,
): Promise<HistoryEntry[]> {
  const result = await helm.run([
    'history',
    target.release,
    ...targetArgs(target),
    `--max=${max}`,
    '--output=json',
  ]);
  if (result.code !== 0) {
    if (/not found/i.test(result.stderr)) return [];
    throw new UserError(`helm history ${target.release} failed: ${result.stderr.trim()}`);
  }
  const entries = parseJson(result.stdout, 'history');
  return (Array.isArray(entries) ? (entries as Json[]) : []).map((e) => ({
    revision: Number(e['revision'] ?? 0),
    updated: str(e['updated']),
    status: str(e['status']),
    chart: str(e['chart']),
    appVersion: str(e['app_version']),
    description: str(e['description']),
  }));
}
