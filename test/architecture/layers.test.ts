// The shape of tasks/ as the README's Architecture section draws it: calls go one way (down the
// layers), no import cycles, task folders enter the library only through its front doors
// (`tasks/common/<part>/index.ts`), and only the agent layer talks to the agent.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../support/tools';

interface Graph {
  files: string[];
  graph: Map<string, Set<string>>;
  packages: Map<string, Set<string>>;
}
interface Architecture {
  importGraph: () => Graph;
  cycles: (graph: Map<string, Set<string>>) => string[][];
}

const root = repoRoot();
const tasksDir = path.join(root, 'tasks');
const libraryDir = path.join(tasksDir, 'common');

/**
 * What each library part may import (besides itself and the root modules errors.ts and log.ts).
 * The order is the layering: a part imports only parts listed before it.
 */
export const LAYERS: Record<string, readonly string[]> = {
  net: [],
  files: [],
  azure: ['net'],
  registry: ['net'],
  signatures: ['net', 'files', 'registry'],
  copy: ['net', 'registry'],
  lockfile: ['files', 'registry'],
  keyvault: ['net', 'azure', 'signatures'],
  kubernetes: ['net', 'azure'],
  pinning: ['net', 'files', 'registry', 'lockfile'],
  helm: ['net', 'files', 'registry', 'azure', 'kubernetes'],
  agent: [
    'net',
    'files',
    'azure',
    'registry',
    'signatures',
    'copy',
    'lockfile',
    'keyvault',
    'kubernetes',
    'pinning',
    'helm',
    'signatures',
  ],
};

/** Packages that talk to the agent: only the agent layer imports them. */
const AGENT_PACKAGES = ['azure-pipelines-task-lib', 'azure-devops-node-api'];

const rel = (file: string) => path.relative(root, file);
/** The library part a file belongs to ('' for tasks/common/*.ts), or undefined outside the library. */
function partOf(file: string): string | undefined {
  if (!file.startsWith(libraryDir + path.sep)) return undefined;
  const parts = path.relative(libraryDir, file).split(path.sep);
  return parts.length > 1 ? parts[0] : '';
}

describe('architecture: one-way layers and front doors', function () {
  let architecture: Architecture;
  let graph: Graph;

  before(async function () {
    architecture = (await import(
      pathToFileURL(path.join(root, 'scripts', 'architecture.mjs')).href
    )) as Architecture;
    graph = architecture.importGraph();
  });

  it('has no import cycle', function () {
    assert.deepEqual(
      architecture.cycles(graph.graph).map((c) => c.map(rel)),
      [],
    );
  });

  it('every library part is a known layer with a front door', function () {
    const parts = fs
      .readdirSync(libraryDir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    assert.deepEqual(parts, Object.keys(LAYERS).sort());
    for (const part of parts) {
      assert.ok(fs.existsSync(path.join(libraryDir, part, 'index.ts')), `tasks/common/${part}/index.ts`);
    }
  });

  it('library parts import only the layers below them', function () {
    const wrong: string[] = [];
    for (const [file, targets] of graph.graph) {
      const from = partOf(file);
      if (from === undefined || from === '') continue;
      for (const target of targets) {
        const to = partOf(target);
        if (to === undefined) wrong.push(`${rel(file)} imports ${rel(target)} (outside the library)`);
        else if (to !== '' && to !== from && !LAYERS[from]?.includes(to)) {
          wrong.push(
            `${rel(file)} imports ${rel(target)} (${from} may import ${LAYERS[from]?.join(', ') || 'no other part'})`,
          );
        }
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('the root modules import no library part', function () {
    const wrong = [...graph.graph]
      .filter(([file]) => partOf(file) === '')
      .flatMap(([file, targets]) => [...targets].map((t) => `${rel(file)} imports ${rel(t)}`));
    assert.deepEqual(wrong, []);
  });

  it('task folders enter the library only through front doors', function () {
    const wrong: string[] = [];
    for (const [file, targets] of graph.graph) {
      if (partOf(file) !== undefined) continue;
      const taskFolder = path.relative(tasksDir, file).split(path.sep)[0];
      for (const target of targets) {
        const to = partOf(target);
        if (to === undefined) {
          const targetFolder = path.relative(tasksDir, target).split(path.sep)[0];
          if (targetFolder !== taskFolder) wrong.push(`${rel(file)} imports another task: ${rel(target)}`);
          continue;
        }
        const frontDoor =
          to === '' ||
          (path.basename(target) === 'index.ts' && path.dirname(target) === path.join(libraryDir, to));
        if (!frontDoor) wrong.push(`${rel(file)} imports ${rel(target)}, not tasks/common/${to}/index.ts`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('only the agent layer imports the packages that talk to the agent', function () {
    const wrong: string[] = [];
    for (const [file, packages] of graph.packages) {
      if (partOf(file) === 'agent') continue;
      for (const name of packages) {
        if (AGENT_PACKAGES.some((p) => name === p || name.startsWith(`${p}/`)))
          wrong.push(`${rel(file)} imports ${name}`);
      }
    }
    assert.deepEqual(wrong, []);
  });
});
