// Versions: a task whose shipped files changed needs a higher version (agents keep running the old
// code otherwise), no version goes down, and `npm run version` bumps task.json, the extension and
// the changelog together. The repository itself is checked against release-baseline.json (and
// the newest release tag when the clone has one); the script is exercised on temporary copies.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../support/tools';

interface ReleaseState {
  versionProblems: (dir: string) => Promise<string[]>;
  readBaseline: (dir: string) => {
    extension: string;
    tasks: Record<string, { version: string; fingerprint: string }>;
  };
  writeBaseline: (dir: string, baseline: unknown) => void;
  bundleInputs: (dir: string, folder: string) => Promise<unknown>;
  fingerprint: (inputs: unknown, read: unknown) => string;
  workingTree: (dir: string) => unknown;
}
interface VersionScript {
  PLACEHOLDER: string;
  version: (
    dir: string,
    target: string,
    level: string,
  ) => Promise<{
    extension: { from: string; to: string };
    tasks: { name: string; from: string; to: string }[];
  }>;
}

const root = repoRoot();
const load = async <T>(name: string) =>
  (await import(pathToFileURL(path.join(root, 'scripts', name)).href)) as T;
const readJson = <T>(file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as T;
type TaskJson = { version: { Major: number; Minor: number; Patch: number } };
const taskVersion = (dir: string, folder: string) => {
  const v = readJson<TaskJson>(path.join(dir, 'tasks', folder, 'task.json')).version;
  return `${v.Major}.${v.Minor}.${v.Patch}`;
};

/** A copy of what versioning reads (tasks, manifest, baseline, changelog), node_modules linked. */
function copyRepo(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-version-'));
  for (const item of [
    'tasks',
    'vss-extension.json',
    'release-baseline.json',
    'CHANGELOG.md',
    'package.json',
  ]) {
    fs.cpSync(path.join(root, item), path.join(dir, item), { recursive: true });
  }
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

function git(dir: string, ...args: string[]) {
  const r = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
    cwd: dir,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
}

/** `version` one step up, as `npm run version` bumps it. */
function bumped(version: string, level: 'minor' | 'patch'): string {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number);
  return level === 'minor' ? `${major}.${minor + 1}.0` : `${major}.${minor}.${patch + 1}`;
}
const escaped = (text: string) => text.replace(/\./g, '\\.');

const appendLine = (dir: string, file: string) => fs.appendFileSync(path.join(dir, file), '\n// changed\n');

describe('versioning', function () {
  this.timeout(60_000);
  let state: ReleaseState;
  let script: VersionScript;
  const dirs: string[] = [];
  const temp = () => {
    const d = copyRepo();
    dirs.push(d);
    return d;
  };
  before(async () => {
    state = await load<ReleaseState>('release-state.mjs');
    script = await load<VersionScript>('version.mjs');
  });
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('the repository: no task changed without a version bump, no version went down', async () => {
    assert.deepEqual(await state.versionProblems(root), []);
  });

  it('the changelog has an entry for the current extension version, filled in', () => {
    const { version } = readJson<{ version: string }>(path.join(root, 'vss-extension.json'));
    const changelog = fs.readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8');
    const entry = new RegExp(
      `^## ${version.replace(/\./g, '\\.')}\\n([\\s\\S]*?)(?=^## |$(?![\\s\\S]))`,
      'm',
    ).exec(changelog);
    assert.ok(entry, `CHANGELOG.md has no "## ${version}" entry`);
    assert.ok(!entry[1]?.includes('<describe the change>'), `CHANGELOG.md ${version}: describe the change`);
  });

  it('a change to one task flags that task only; bumping it clears the check and opens a changelog entry', async () => {
    const dir = temp();
    const promoteBefore = taskVersion(dir, 'PromoteImageV1');
    const pinBefore = taskVersion(dir, 'PinImageDigestsV1');
    const promoteAfter = bumped(promoteBefore, 'patch');
    appendLine(dir, 'tasks/PromoteImageV1/summary.ts');
    const problems = await state.versionProblems(dir);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(
      problems[0] ?? '',
      new RegExp(
        `^PromoteImage: its shipped files changed .* still ${escaped(promoteBefore)}.*npm run version -- PromoteImage patch`,
      ),
    );

    const before = fs.readFileSync(path.join(dir, 'tasks/PromoteImageV1/task.json'), 'utf8');
    const result = await script.version(dir, 'promoteimage', 'patch');
    assert.deepEqual(result.tasks, [{ name: 'PromoteImage', from: promoteBefore, to: promoteAfter }]);
    const after = fs.readFileSync(path.join(dir, 'tasks/PromoteImageV1/task.json'), 'utf8');
    assert.equal(taskVersion(dir, 'PromoteImageV1'), promoteAfter);
    assert.equal(after.split('\n').length, before.split('\n').length, 'only the version numbers changed');
    const patchOf = (v: string) => v.split('.')[2] ?? '';
    assert.equal(
      after.replace(`"Patch": ${patchOf(promoteAfter)}`, `"Patch": ${patchOf(promoteBefore)}`),
      before,
    );
    assert.equal(taskVersion(dir, 'PinImageDigestsV1'), pinBefore);
    const ext = readJson<{ version: string }>(path.join(dir, 'vss-extension.json')).version;
    assert.equal(ext, result.extension.to);
    assert.equal(result.extension.to.split('.')[2], String(Number(result.extension.from.split('.')[2]) + 1));
    const changelog = fs.readFileSync(path.join(dir, 'CHANGELOG.md'), 'utf8');
    assert.ok(
      changelog.indexOf(`## ${ext}`) < changelog.indexOf(`## ${result.extension.from}`),
      'newest entry first',
    );
    assert.match(changelog, new RegExp(`PromoteImage@1 ${escaped(promoteAfter)}: ${script.PLACEHOLDER}`));
    assert.deepEqual(await state.versionProblems(dir), []);
  });

  it('a change to tasks/common flags every task that bundles it', async () => {
    const dir = temp();
    const deployBefore = taskVersion(dir, 'DeployHelmChartV1');
    appendLine(dir, 'tasks/common/errors.ts');
    const flagged = (await state.versionProblems(dir)).map((p) => p.split(':')[0]).sort();
    assert.deepEqual(flagged, [
      'DeployHelmChart',
      'InjectKeyVaultSecrets',
      'PinImageDigests',
      'PromoteImage',
      'PublishHelmChart',
    ]);
    await script.version(dir, 'all', 'minor');
    assert.equal(taskVersion(dir, 'DeployHelmChartV1'), bumped(deployBefore, 'minor'));
    assert.deepEqual(await state.versionProblems(dir), []);
  });

  it('a version lower than recorded fails, for a task and for the extension', async () => {
    const dir = temp();
    const baseline = state.readBaseline(dir);
    const promote = baseline.tasks.PromoteImage;
    assert.ok(promote);
    const current = taskVersion(dir, 'PromoteImageV1');
    const higher = bumped(current, 'minor');
    baseline.tasks.PromoteImage = { ...promote, version: higher };
    baseline.extension = '9.0.0';
    state.writeBaseline(dir, baseline);
    const problems = await state.versionProblems(dir);
    assert.ok(
      problems.some((p) =>
        new RegExp(`^PromoteImage: version ${escaped(current)} is lower than ${escaped(higher)}`).test(p),
      ),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => /^extension: version \S+ is lower than 9\.0\.0/.test(p)),
      problems.join('\n'),
    );
  });

  it('with a release tag, a change since the tag needs a bump even if the baseline was re-recorded by hand', async () => {
    const dir = temp();
    git(dir, 'init', '-q');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'release');
    git(dir, 'tag', `v${readJson<{ version: string }>(path.join(dir, 'vss-extension.json')).version}`);
    appendLine(dir, 'tasks/PublishHelmChartV1/index.ts');
    // Re-recording the baseline without a bump hides the change from the baseline check...
    const baseline = state.readBaseline(dir);
    const fingerprint = state.fingerprint(
      await state.bundleInputs(dir, 'tasks/PublishHelmChartV1'),
      state.workingTree(dir),
    );
    const publish = baseline.tasks.PublishHelmChart;
    assert.ok(publish);
    baseline.tasks.PublishHelmChart = { ...publish, fingerprint };
    state.writeBaseline(dir, baseline);
    // ...but not from the tag.
    const problems = await state.versionProblems(dir);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0] ?? '', /^PublishHelmChart: its shipped files changed since release tag v/);
  });

  it('refuses an unknown task, an unknown level and a major bump of a task, changing nothing', async () => {
    const dir = temp();
    const promoteBefore = taskVersion(dir, 'PromoteImageV1');
    const manifestBefore = fs.readFileSync(path.join(dir, 'vss-extension.json'), 'utf8');
    await assert.rejects(
      script.version(dir, 'PromoteImages', 'patch'),
      /'PromoteImages' is not a task: allowed values are .*PromoteImage, .*all, extension/,
    );
    await assert.rejects(
      script.version(dir, 'all', 'micro'),
      /level 'micro': allowed values are major, minor, patch/,
    );
    await assert.rejects(script.version(dir, 'PromoteImage', 'major'), /tasks\/<Name>V<N\+1>/);
    assert.equal(fs.readFileSync(path.join(dir, 'vss-extension.json'), 'utf8'), manifestBefore);
    assert.equal(taskVersion(dir, 'PromoteImageV1'), promoteBefore);
  });
});
