// What the packaged extension holds: only bundles and task metadata per task, one contribution
// per task, a private dev variant with its own task GUIDs, self-contained bundles, designed icons.
// The .vsix files are made by `node scripts/package.mjs` (and `--dev`) before mocha runs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodePng, type PngImage } from '../support/png';
import { checkTaskJson } from '../support/taskJsonRules';
import { repoRoot, toolPath } from '../support/tools';

type Json = Record<string, unknown>;
interface Contribution {
  id: string;
  type: string;
  properties: { name: string };
}
interface Manifest {
  id: string;
  publisher: string;
  version: string;
  public?: boolean;
  categories: string[];
  icons: { default: string };
  content: { details: { path: string } };
  contributions: Contribution[];
}
interface PackageScript {
  uuidv5: (name: string, namespace: string) => string;
  stage: (options: { dev: boolean }) => { stageDir: string; manifest: Manifest };
}
interface Metafile {
  inputs: Record<string, unknown>;
  outputs: Record<string, { imports: { path: string; kind: string }[]; inputs: Record<string, unknown> }>;
}
interface BuildScript {
  duplicatePackages: (metafile: { inputs: Record<string, unknown> }) => { name: string; folders: string[] }[];
  startupFiles: (metafile: Metafile, main: string) => string[];
}

const root = repoRoot();
/** RFC 4122's URL namespace: dev task GUIDs are uuidv5(`publisher.devExtensionId.taskName`) in it. */
const URL_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';
const TASK_FILES = /^(task\.json|task\.loc\.json|icon\.png|Strings\/.+)$/;
/** What index.js loads: main.mjs, and the chunks split off at dynamic imports (scripts/build.mjs). */
const LOADED_SCRIPTS = /^(main\.mjs|chunks\/[\w-]+\.mjs)$/;

/** The scripts a packaged task.json runs: every handler target of every stage (index.js, a pre-job entry). */
function handlerTargets(taskJson: Json): string[] {
  const targets = ['prejobexecution', 'execution', 'postjobexecution'].flatMap((stage) =>
    Object.values((taskJson[stage] ?? {}) as Record<string, { target?: string }>).map((h) => h.target ?? ''),
  );
  return [...new Set(targets.filter((t) => t !== ''))].sort();
}
const readJson = <T = Json>(file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as T;
const manifest = readJson<Manifest>(path.join(root, 'vss-extension.json'));
const taskContributions = manifest.contributions.filter((c) => c.type === 'ms.vss-distributed-task.task');
const taskFolders = fs
  .readdirSync(path.join(root, 'tasks'))
  .filter((n) => /V\d+$/.test(n) && fs.existsSync(path.join(root, 'tasks', n, 'task.json')));
const vsixFile = (id: string) =>
  path.join(root, 'dist', `${manifest.publisher}.${id}-${manifest.version}.vsix`);
const importScript = async <T>(name: string) =>
  (await import(pathToFileURL(path.join(root, 'scripts', name)).href)) as T;

function unzip(args: string[]): Buffer {
  const r = spawnSync(toolPath('UNZIP_BIN'), args, { maxBuffer: 256 * 1024 * 1024 });
  if (r.error || r.status !== 0)
    throw new Error(`unzip ${args.join(' ')}: ${r.error?.message ?? String(r.stderr)}`);
  return r.stdout;
}
const entries = (vsix: string) => unzip(['-Z1', vsix]).toString('utf8').split('\n').filter(Boolean);
const entry = (vsix: string, name: string) => unzip(['-p', vsix, name]);
const identity = (vsix: string) => {
  const xml = entry(vsix, 'extension.vsixmanifest').toString('utf8');
  const attr = (name: string) => new RegExp(`<Identity [^>]*\\b${name}="([^"]*)"`).exec(xml)?.[1];
  const flags = /<GalleryFlags>([^<]*)<\/GalleryFlags>|<GalleryFlags\/>/.exec(xml);
  return {
    id: attr('Id'),
    publisher: attr('Publisher'),
    version: attr('Version'),
    flags: flags?.[1] ?? '',
    xml,
  };
};

/** Modules a bundle loads with a literal require()/import()/import...from that are not part of Node. */
function externalRequires(bundle: string): string[] {
  const builtins = new Set(builtinModules);
  const found = [
    ...bundle.matchAll(
      /\b(?:require|import)\(\s*(["'`])([^"'`]+)\1\s*\)|(?:^|[;}\n])\s*import\s*(?:[\w$*{},\s]+from\s*)?(["'])([\w@./:-]+)\3/g,
    ),
  ].map((m) => m[2] ?? m[4] ?? '');
  return [...new Set(found)].filter((m) => !m.startsWith('node:') && !builtins.has(m));
}

describe('packaged extension', () => {
  const publicVsix = vsixFile(manifest.id);
  const devVsix = vsixFile(`${manifest.id}-dev`);

  it('every tasks/*V* folder has exactly one task contribution, and every task contribution a folder', () => {
    assert.ok(taskFolders.length > 0);
    for (const folder of taskFolders) {
      const matching = taskContributions.filter((c) => c.properties.name === `tasks/${folder}`);
      assert.equal(matching.length, 1, `tasks/${folder} has ${matching.length} contributions`);
    }
    for (const c of taskContributions) {
      assert.ok(
        taskFolders.includes(c.properties.name.replace(/^tasks\//, '')),
        `${c.id}: no ${c.properties.name}`,
      );
    }
    assert.equal(new Set(manifest.contributions.map((c) => c.id)).size, manifest.contributions.length);
  });

  it('holds, per task, only task.json, icon.png, the bundles its handlers run and what they load (and localization files)', () => {
    const files = entries(publicVsix);
    for (const c of taskContributions) {
      const prefix = `${c.properties.name}/`;
      const own = files
        .filter((f) => f.startsWith(prefix) && !f.endsWith('/'))
        .map((f) => f.slice(prefix.length));
      for (const required of ['task.json', 'icon.png', 'index.js'])
        assert.ok(own.includes(required), `${prefix}${required}`);
      const scripts = handlerTargets(
        JSON.parse(entry(publicVsix, `${prefix}task.json`).toString('utf8')) as Json,
      );
      assert.deepEqual(
        own.filter((f) => !TASK_FILES.test(f) && !LOADED_SCRIPTS.test(f) && !scripts.includes(f)),
        [],
        `unexpected files in ${prefix}`,
      );
    }
  });

  it('holds no TypeScript, source maps or node_modules', () => {
    for (const vsix of [publicVsix, devVsix]) {
      const bad = entries(vsix).filter((f) => /\.ts$|\.map$|(^|\/)node_modules\//.test(f));
      assert.deepEqual(bad, [], path.basename(vsix));
    }
  });

  it('is listed under Azure Pipelines with overview.md as details and its icon inside', () => {
    assert.deepEqual(manifest.categories, ['Azure Pipelines']);
    assert.equal(manifest.content.details.path, 'overview.md');
    const files = entries(publicVsix);
    for (const f of ['overview.md', manifest.icons.default]) assert.ok(files.includes(f), f);
    const xml = identity(publicVsix).xml;
    assert.match(xml, /<Categories>Azure Pipelines<\/Categories>/);
    assert.match(xml, /Type="Microsoft\.VisualStudio\.Services\.Content\.Details"[^>]*Path="overview\.md"/);
  });

  it('takes publisher and version from vss-extension.json only', () => {
    const pkg = readJson(path.join(root, 'package.json'));
    assert.ok(
      !('publisher' in pkg) && !('version' in pkg),
      'package.json must not carry publisher or version',
    );
    for (const folder of taskFolders) {
      const task = readJson(path.join(root, 'tasks', folder, 'task.json'));
      assert.ok(!('publisher' in task), `${folder}/task.json names a publisher`);
    }
    const id = identity(publicVsix);
    assert.deepEqual([id.id, id.publisher, id.version], [manifest.id, manifest.publisher, manifest.version]);
    assert.match(id.flags, /\bPublic\b/);
  });

  describe('dev variant', () => {
    const devId = `${manifest.id}-dev`;
    /** The task.json of every task contribution, in manifest order, as read by `read(tasks/<Name>)`. */
    const tasksOf = (read: (taskPath: string) => Json) =>
      taskContributions.map((c) => read(c.properties.name));
    const fromVsix = (vsix: string) => (taskPath: string) =>
      JSON.parse(entry(vsix, `${taskPath}/task.json`).toString('utf8')) as Json;
    const idOf = (task: Json) => String(task['id']).toLowerCase();

    it('implements RFC 4122 uuidv5', async () => {
      const { uuidv5 } = await importScript<PackageScript>('package.mjs');
      // The example of Python's uuid documentation: uuid5(NAMESPACE_DNS, 'python.org').
      assert.equal(
        uuidv5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'),
        '886313e1-3b8a-5372-9b90-0c9aee199e5d',
      );
    });

    it('is private, with its own extension id', () => {
      const id = identity(devVsix);
      assert.deepEqual([id.id, id.publisher, id.version], [devId, manifest.publisher, manifest.version]);
      assert.doesNotMatch(id.flags, /Public/);
    });

    it('gives every task the GUID uuidv5(publisher.devExtensionId.taskName), unlike the public one', async () => {
      const { uuidv5 } = await importScript<PackageScript>('package.mjs');
      const dev = tasksOf(fromVsix(devVsix));
      const pub = tasksOf(fromVsix(publicVsix));
      taskContributions.forEach(({ properties: { name: taskPath } }, i) => {
        const [devTask, pubTask] = [dev[i] ?? {}, pub[i] ?? {}];
        const expected = uuidv5(`${manifest.publisher}.${devId}.${String(devTask['name'])}`, URL_NAMESPACE);
        assert.equal(devTask['id'], expected, taskPath);
        assert.notEqual(idOf(devTask), idOf(pubTask), taskPath);
        const source = readJson(path.join(root, taskPath, 'task.json'));
        assert.equal(pubTask['id'], source['id'], `${taskPath}: the public package keeps the source GUID`);
      });
    });

    it('is staged deterministically: two runs give the same GUIDs as the package', async () => {
      const { stage } = await importScript<PackageScript>('package.mjs');
      const runs = [1, 2].map(() => {
        const { stageDir } = stage({ dev: true });
        return tasksOf((t) => readJson(path.join(stageDir, t, 'task.json'))).map(idOf);
      });
      assert.deepEqual(runs[0], runs[1]);
      assert.deepEqual(runs[0], tasksOf(fromVsix(devVsix)).map(idOf));
    });

    it('stages a private manifest and dev task.json files that pass every task.json rule', async () => {
      const { stage } = await importScript<PackageScript>('package.mjs');
      const { stageDir, manifest: staged } = stage({ dev: true });
      assert.deepEqual([staged.id, staged.public], [devId, false]);
      for (const { properties } of taskContributions) {
        const dir = path.join(stageDir, properties.name);
        assert.deepEqual(checkTaskJson(readJson(path.join(dir, 'task.json')), dir), [], properties.name);
      }
    });
  });

  describe('bundles', () => {
    it('finds the non-builtin requires of a bundle', () => {
      const code = `require("fs");require('node:path');const y=require("yaml");require(\`@azure/identity\`);require("fs/promises");import("undici");import{a}from"./chunks/c.mjs";import"semver";import{b}from'node:url';x={from:"files"}`;
      assert.deepEqual(externalRequires(code), [
        'yaml',
        '@azure/identity',
        'undici',
        './chunks/c.mjs',
        'semver',
      ]);
    });

    it('each task is self-contained: its scripts load only Node modules and files shipped beside them', () => {
      const files = entries(publicVsix);
      for (const c of taskContributions) {
        const prefix = `${c.properties.name}/`;
        const taskJson = JSON.parse(entry(publicVsix, `${prefix}task.json`).toString('utf8')) as Json;
        const scripts = files.filter((f) => f.startsWith(prefix) && /\.m?js$/.test(f));
        for (const target of handlerTargets(taskJson))
          assert.ok(scripts.includes(`${prefix}${target}`), target);
        assert.ok(scripts.includes(`${prefix}main.mjs`), `${prefix}main.mjs`);
        for (const script of scripts) {
          const bundle = entry(publicVsix, script).toString('utf8');
          const loaded = externalRequires(bundle).filter((m) => !/^\.\.?\//.test(m));
          assert.deepEqual(loaded, [], `${script} loads modules it does not hold`);
          for (const rel of externalRequires(bundle).filter((m) => /^\.\.?\//.test(m))) {
            const file = path.posix.join(path.posix.dirname(script), rel);
            assert.ok(files.includes(file), `${script} loads ${rel}, which is not in the package`);
          }
        }
      }
    });

    it('starts without the Azure SDK, MSAL or azure-devops-node-api: they are in lazily loaded files only', async () => {
      const { startupFiles } = await importScript<BuildScript>('build.mjs');
      const heavy =
        /node_modules\/(@azure\/identity|@azure\/msal-node|azure-devops-node-api|@sigstore\/verify)\//;
      for (const folder of taskFolders) {
        const meta = readJson<Metafile>(path.join(root, 'build', 'meta', `${folder}.json`));
        const main = Object.keys(meta.outputs).find((f) => f.endsWith(`${folder}/main.mjs`)) ?? '';
        const atStart = startupFiles(meta, main).flatMap((f) => Object.keys(meta.outputs[f]?.inputs ?? {}));
        assert.ok(
          atStart.some((i) => i.includes('node_modules/azure-pipelines-task-lib/')),
          `${folder}: task-lib`,
        );
        assert.deepEqual(
          atStart.filter((i) => heavy.test(i)),
          [],
          `${folder} loads at start-up`,
        );
        if (folder === 'InjectKeyVaultSecretsV1' || folder === 'PromoteImageV1') {
          const all = Object.values(meta.outputs).flatMap((o) => Object.keys(o.inputs));
          assert.ok(
            all.some((i) => i.includes('node_modules/@azure/identity/')),
            `${folder} ships @azure/identity`,
          );
        }
      }
    });
  });

  describe('duplicate-package guard of the build', () => {
    const inputs = (...files: string[]) => ({
      inputs: Object.fromEntries(files.map((f) => [f, { bytes: 1 }])),
    });

    it('flags two copies of one package, scoped or not', async () => {
      const { duplicatePackages } = await importScript<BuildScript>('build.mjs');
      const found = duplicatePackages(
        inputs(
          'tasks/X/index.ts',
          'node_modules/x/index.js',
          'node_modules/a/node_modules/x/lib/util.js',
          'node_modules/a/index.js',
          'node_modules/@scope/p/index.js',
          'node_modules/b/node_modules/@scope/p/dist/p.js',
        ),
      );
      assert.deepEqual(found, [
        { name: 'x', folders: ['node_modules/x', 'node_modules/a/node_modules/x'] },
        { name: '@scope/p', folders: ['node_modules/@scope/p', 'node_modules/b/node_modules/@scope/p'] },
      ]);
    });

    it('passes a bundle with one copy of each package', async () => {
      const { duplicatePackages } = await importScript<BuildScript>('build.mjs');
      const clean = inputs(
        'tasks/X/index.ts',
        'node_modules/x/a.js',
        'node_modules/x/b/c.js',
        'node_modules/@s/p/i.js',
      );
      assert.deepEqual(duplicatePackages(clean), []);
    });
  });

  describe('icons', () => {
    const stats = (png: PngImage) => {
      const colours = new Set<number>();
      let [clear, partial] = [0, 0];
      for (let i = 0; i < png.rgba.length; i += 4) {
        colours.add(png.rgba.readUInt32BE(i));
        const alpha = png.rgba[i + 3] ?? 0;
        if (alpha === 0) clear++;
        else if (alpha < 255) partial++;
      }
      return { colours: colours.size, clear, partial };
    };

    it('the extension icon is a 128x128 PNG with shading and anti-aliased, transparent edges', () => {
      for (const png of [
        fs.readFileSync(path.join(root, manifest.icons.default)),
        entry(publicVsix, manifest.icons.default),
      ]) {
        const image = decodePng(png);
        assert.deepEqual([image.width, image.height], [128, 128]);
        const s = stats(image);
        assert.ok(s.colours >= 256, `only ${s.colours} distinct colours: a flat image`);
        assert.ok(s.clear >= 128 * 128 * 0.05, `${s.clear} transparent pixels: a square, not a shape`);
        assert.ok(s.partial >= 128, `${s.partial} partly transparent pixels: edges are not anti-aliased`);
      }
    });

    it('every task icon, in the tree and in the package, is a 32x32 PNG, drawn rather than flat', () => {
      const folders = fs.readdirSync(path.join(root, 'tasks')).filter((n) => /V\d+$/.test(n));
      const icons = [
        ...folders.map(
          (f) => [`tasks/${f}/icon.png`, fs.readFileSync(path.join(root, 'tasks', f, 'icon.png'))] as const,
        ),
        ...taskFolders.map(
          (f) => [`vsix: tasks/${f}/icon.png`, entry(publicVsix, `tasks/${f}/icon.png`)] as const,
        ),
      ];
      for (const [name, png] of icons) {
        const image = decodePng(png);
        assert.deepEqual([image.width, image.height], [32, 32], name);
        const s = stats(image);
        assert.ok(s.colours >= 32 && s.clear > 0 && s.partial > 0, `${name}: ${JSON.stringify(s)}`);
      }
    });
  });
});
