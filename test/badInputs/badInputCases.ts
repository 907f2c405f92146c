// The bad-input corpus: each task's cases are a table of {name, inputs, files, names}; every case
// runs the packaged task as the agent does (System.Debug on, so task-lib's debug echo of every
// input is leak-checked too) and must end Failed, with a message naming the input or file, no
// stack trace anywhere in the output, and nothing changed: the workspace (and the folder beside
// it) byte for byte, and the registry's repositories, tags and manifests.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RegistryFixture } from '../emulators/registry';
import { RegistryClient } from '../emulators/registry/registryClient';
import { getManifest, listTags } from '../emulators/registry/images';
import { fixtureChart } from '../support/helmUnderTest';
import type { EndpointSpec, TaskRun } from '../support/taskRunner';
import { treeSnapshot } from '../support/treeSnapshot';

/** One bad input and what the failure must say. */
export interface BadInputCase<Ctx> {
  readonly name: string;
  /** Task inputs by task.json name (the rest come from the task's base inputs). */
  readonly inputs: (ctx: Ctx) => Record<string, string>;
  /** Files written into the sources folder before the run, relative to it. */
  readonly files?: Record<string, string> | ((ctx: Ctx) => Record<string, string>);
  /** Fragments the failure message must contain: the input's name, the file, the host... */
  readonly names: (ctx: Ctx) => readonly string[];
}

/** The files of a case, for this context. */
export const caseFiles = <Ctx>(c: BadInputCase<Ctx>, ctx: Ctx): Record<string, string> =>
  typeof c.files === 'function' ? c.files(ctx) : (c.files ?? {});

/** Builds a case table with the context type inferred once. */
export const cases = <Ctx>(list: readonly BadInputCase<Ctx>[]): readonly BadInputCase<Ctx>[] => list;

/**
 * A huge input: 100 KiB on one line. The agent hands inputs over as environment variables, and
 * Linux refuses one longer than 128 KiB (MAX_ARG_STRLEN: spawn fails with E2BIG), so no task ever
 * receives a 1 MB input; 100 KiB is close to the largest it can get.
 */
export const HUGE = 'x'.repeat(100 * 1024);

/** A host name DNS refuses at once (RFC 6761 reserves `.invalid`). */
export const UNKNOWN_HOST = 'registry.bad-inputs.invalid';

/** An Azure Resource Manager connection the agent hands over (never signed in with: input checks fail first). */
export const AZURE_CONNECTION = '0d1e2f3a-4b5c-4d6e-8f7a-8b9c0d1e2f3a';
export const AZURE_ENDPOINT: EndpointSpec = {
  url: 'https://management.azure.com/',
  scheme: 'ServicePrincipal',
  parameters: {
    serviceprincipalid: 'b0b0b0b0-0000-4000-8000-00000000c1d1',
    tenantid: '4c5d6e7f-1111-4222-8333-944455556666',
    authenticationType: 'spnKey',
    serviceprincipalkey: 'bad-inputs-Unused-client-secret',
  },
  data: { environment: 'AzureCloud' },
};

/** Where chartFiles() puts the chart, relative to the sources. */
export const CHART = 'charts/workloads';

/** The workloads chart copied into the sources, with the given files replaced. */
export function chartFiles(changes: Record<string, string> = {}): Record<string, string> {
  const files: Record<string, string> = {};
  const copy = (dir: string, rel: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) copy(path.join(dir, e.name), `${rel}/${e.name}`);
      else files[`${rel}/${e.name}`] = fs.readFileSync(path.join(dir, e.name), 'utf8');
    }
  };
  copy(fixtureChart('workloads'), CHART);
  for (const [rel, text] of Object.entries(changes)) files[`${CHART}/${rel}`] = text;
  return files;
}

/**
 * A pipeline workspace per case: `<root>/w` (Pipeline.Workspace) holding `s` (the sources, the
 * default working directory), and `<root>/outside` beside it, where paths leaving the workspace lead.
 */
export interface CaseWorkspace {
  readonly root: string;
  readonly workspace: string;
  readonly sources: string;
  readonly outside: string;
  /** Pipeline variables placing the run in this workspace. */
  readonly variables: Record<string, string>;
}

const roots: string[] = [];

export function caseWorkspace(files: Record<string, string> = {}): CaseWorkspace {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'rg-bad-input-')));
  roots.push(root);
  const workspace = path.join(root, 'w');
  const sources = path.join(workspace, 's');
  const outside = path.join(root, 'outside');
  fs.mkdirSync(sources, { recursive: true });
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'victim.yaml'), 'image: outside/untouched:1.0\n');
  fs.writeFileSync(path.join(outside, 'image-lock.json'), '{"version": 1, "images": []}\n');
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(sources, rel)), { recursive: true });
    fs.writeFileSync(path.join(sources, rel), text);
  }
  return {
    root,
    workspace,
    sources,
    outside,
    variables: {
      'Pipeline.Workspace': workspace,
      'Agent.BuildDirectory': workspace,
      'Build.SourcesDirectory': sources,
      'Build.Repository.LocalPath': sources,
      'System.DefaultWorkingDirectory': sources,
    },
  };
}

export function removeCaseWorkspaces(): void {
  for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true });
}

/** Every repository of a registry with each tag's manifest digest: what a run must not change. */
export async function registryContent(reg: RegistryFixture): Promise<Record<string, Record<string, string>>> {
  const res = await new RegistryClient(reg).expect([200], 'GET', '/v2/_catalog?n=1000');
  const repositories =
    (JSON.parse(res.body.toString('utf8')) as { repositories?: string[] }).repositories ?? [];
  const content: Record<string, Record<string, string>> = {};
  for (const repository of repositories.sort()) {
    const tags: Record<string, string> = {};
    for (const tag of (await listTags(reg, repository)).sort())
      tags[tag] = (await getManifest(reg, repository, tag))?.digest ?? 'missing';
    content[repository] = tags;
  }
  return content;
}

/** A stack frame (`    at fn (file.js:12:34)`), on a line of its own or escaped inside a logging command (`%0A`). */
const STACK_LINE = /(?:^|%0A|%0D)[ \t]*at [^\n]*?:\d+:\d+\)?(?:$|%0A|%0D)/m;

/** Per-case run times, printed slowest first by printTimings(). */
const timings: { name: string; ms: number }[] = [];

export function printTimings(title: string): void {
  const total = timings.reduce((sum, t) => sum + t.ms, 0);
  const slowest = [...timings].sort((a, b) => b.ms - a.ms).slice(0, 3);
  console.log(
    `      ${title}: ${timings.length} bad inputs in ${(total / 1000).toFixed(1)} s; slowest: ` +
      slowest.map((t) => `${t.name} ${(t.ms / 1000).toFixed(1)} s`).join(', '),
  );
  timings.length = 0;
}

/**
 * Runs one case in a fresh workspace and checks the failure: Failed, the message names every
 * fragment, no stack trace in stdout or stderr, the workspace and the registries unchanged.
 */
export async function expectCleanFailure(
  name: string,
  named: readonly string[],
  ws: CaseWorkspace,
  registries: readonly RegistryFixture[],
  run: () => Promise<TaskRun>,
  /** Any other state the run must leave as it was (a cluster's objects). */
  state: () => unknown = () => undefined,
): Promise<TaskRun> {
  const files = treeSnapshot(ws.root);
  const content = await Promise.all(registries.map(registryContent));
  const other = state();
  registries.forEach((r) => r.resetRequests());
  const started = Date.now();
  const result = await run();
  timings.push({ name, ms: Date.now() - started });
  const tail = `\n--- stdout tail:\n${result.stdout.slice(-2500)}\n--- stderr:\n${result.stderr.slice(-1500)}`;
  assert.equal(result.agentResult, 'Failed', `the task did not fail${tail}`);
  const message = result.message ?? '';
  for (const fragment of named)
    assert.ok(message.includes(fragment), `'${fragment}' is not named by the message: ${message}${tail}`);
  assert.doesNotMatch(result.stdout, STACK_LINE, `a stack trace in stdout${tail}`);
  assert.doesNotMatch(result.stderr, STACK_LINE, `a stack trace in stderr${tail}`);
  assert.deepEqual(
    fs.readdirSync(result.dirs.artifactStaging),
    [],
    'the run wrote to the artifact staging folder',
  );
  assert.deepEqual(result.artifacts, [], 'a failed run uploaded an artifact');
  assert.deepEqual(treeSnapshot(ws.root), files, 'a file in or beside the workspace changed');
  for (const [i, reg] of registries.entries()) {
    const written = (await reg.requests()).filter((r) => !['GET', 'HEAD'].includes(r.method));
    assert.deepEqual(written, [], `the run sent write requests to ${reg.host}`);
    assert.deepEqual(await registryContent(reg), content[i], `the content of ${reg.host} changed`);
  }
  assert.deepEqual(state(), other, 'the run changed what it must not change');
  return result;
}
