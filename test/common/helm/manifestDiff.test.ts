// The diff action's library pieces without a cluster: unified diffs checked with GNU patch as the
// oracle, the object-by-object comparison and its redaction, where a failed upgrade left the release,
// and the server-side apply flags for each Helm major version.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { failedUpgrade } from '../../../tasks/common/helm/failedUpgrade';
import { HelmRunner } from '../../../tasks/common/helm/helmRunner';
import { REDACTED, diffManifests } from '../../../tasks/common/helm/manifestDiff';
import type { HistoryEntry } from '../../../tasks/common/helm/releaseInfo';
import { serverSideFlags } from '../../../tasks/common/helm/serverSideApply';
import { unifiedDiff } from '../../../tasks/common/helm/unifiedDiff';
import { silentLogger } from '../../../tasks/common/log';
import { makeTempDir, removeTempDirs } from '../../support/helmUnderTest';

/** Deterministic pseudo-random numbers (a linear congruential generator), so a failure repeats. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const lines = (next: () => number, count: number) =>
  Array.from({ length: count }, () => `line ${'abcdef'[Math.floor(next() * 6)]}`);

/** What GNU patch makes of `before` with the hunks applied. */
function patched(before: string, hunks: readonly string[]): string {
  const dir = makeTempDir('patch');
  const file = path.join(dir, 'object.yaml');
  fs.writeFileSync(file, before);
  const patchText = ['--- a/object.yaml', '+++ b/object.yaml', ...hunks, ''].join('\n');
  const result = spawnSync('patch', ['--silent', '--force', '--no-backup-if-mismatch', file], {
    input: patchText,
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, `patch refused the diff:\n${patchText}\n${result.stdout}${result.stderr}`);
  return fs.readFileSync(file, 'utf8');
}

const manifest = (...docs: string[]) => docs.map((d) => `---\n${d.trim()}\n`).join('');

const configMap = (name: string, data: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n${data}`;

const deployment = (image: string, cause: string) => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    kubernetes.io/change-cause: '${cause}'
spec:
  template:
    spec:
      containers:
        - name: web
          image: ${image}`;

const secret = (data: Record<string, string>) =>
  `apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\ndata:\n${Object.entries(data)
    .map(([k, v]) => `  ${k}: ${Buffer.from(v).toString('base64')}`)
    .join('\n')}`;

describe('Helm diff library', () => {
  after(removeTempDirs);

  describe('unifiedDiff', () => {
    it('makes hunks GNU patch applies to turn one text into the other (200 random pairs)', () => {
      const next = random(17);
      for (let i = 0; i < 200; i++) {
        const before = lines(next, Math.floor(next() * 30));
        const after = before.filter(() => next() > 0.2);
        for (let k = 0; k < 4; k++) after.splice(Math.floor(next() * (after.length + 1)), 0, `new ${i}.${k}`);
        const [a, b] = [before, after].map((l) => (l.length > 0 ? `${l.join('\n')}\n` : ''));
        const hunks = unifiedDiff(a as string, b as string);
        if (a === b) assert.deepEqual(hunks, []);
        else assert.equal(patched(a as string, hunks), b, `pair ${i}`);
      }
    });

    it('keeps three lines of context and joins changes closer than that into one hunk', () => {
      const before = Array.from({ length: 20 }, (_, i) => `l${i}`);
      const after = before.map((l) => (l === 'l5' || l === 'l9' ? `${l}!` : l));
      const hunks = unifiedDiff(`${before.join('\n')}\n`, `${after.join('\n')}\n`);
      assert.deepEqual(hunks, [
        '@@ -3,11 +3,11 @@',
        ' l2',
        ' l3',
        ' l4',
        '-l5',
        '+l5!',
        ' l6',
        ' l7',
        ' l8',
        '-l9',
        '+l9!',
        ' l10',
        ' l11',
        ' l12',
      ]);
    });
  });

  describe('diffManifests', () => {
    it('lists added, changed and removed objects, ignoring the change cause that differs on every run', () => {
      const live = manifest(
        configMap('old', '  a: "1"'),
        deployment('web:1', 'build 1'),
        configMap('same', '  k: v'),
      );
      const next = manifest(
        deployment('web:2', 'build 2'),
        configMap('same', '  k: v'),
        configMap('new', '  b: "2"'),
      );
      const changes = diffManifests(live, next, []);
      assert.deepEqual(
        changes.map((c) => [c.change, c.title]),
        [
          ['changed', 'Deployment/web'],
          ['added', 'ConfigMap/new'],
          ['removed', 'ConfigMap/old'],
        ],
      );
      const web = changes[0]?.diff ?? [];
      assert.ok(
        web.includes('-          image: web:1') && web.includes('+          image: web:2'),
        web.join('\n'),
      );
      assert.ok(!web.some((l) => l.includes('change-cause')), web.join('\n'));
      assert.deepEqual(diffManifests(live, live.replace('build 1', 'build 9'), []), []);
    });

    it('redacts Secret data, saying which key changed, and secret values in any object', () => {
      const token = 'tok "en" ∞';
      const live = manifest(
        secret({ password: 'old-pass', user: 'admin' }),
        configMap('cfg', `  JSON: '{"token":${JSON.stringify('previous')}}'`),
      );
      const next = manifest(
        secret({ password: 'new-pass', user: 'admin', extra: 'x' }),
        configMap(
          'cfg',
          `  JSON: '${JSON.stringify({ token })}'\n  B64: ${Buffer.from(token).toString('base64')}`,
        ),
      );
      const changes = diffManifests(live, next, [token]);
      const text = changes.flatMap((c) => c.diff).join('\n');
      for (const leaked of [
        'old-pass',
        'new-pass',
        'admin',
        'en\\"',
        Buffer.from(token).toString('base64'),
      ]) {
        assert.ok(!text.includes(leaked) && !text.includes(Buffer.from(leaked).toString('base64')), leaked);
      }
      const secretDiff = changes.find((c) => c.title === 'Secret/creds')?.diff ?? [];
      assert.ok(secretDiff.includes('+  password: (redacted, changed)'), secretDiff.join('\n'));
      assert.ok(secretDiff.includes('+  extra: (redacted, changed)'), secretDiff.join('\n'));
      assert.ok(secretDiff.includes(`   user: ${REDACTED}`), secretDiff.join('\n'));
      assert.match(text, /\+ {2}B64: \(redacted\)/);
    });
  });

  describe('failedUpgrade', () => {
    const entry = (revision: number, status: string, description: string): HistoryEntry => ({
      revision,
      status,
      description,
      updated: '',
      chart: 'c-1',
      appVersion: '1',
    });

    it('finds the failed attempt after the live revision and the revision atomic rolled back to', () => {
      const history = [
        entry(1, 'superseded', 'Install complete'),
        entry(2, 'superseded', 'build 2'),
        entry(3, 'failed', 'Upgrade "x" failed: timed out'),
        entry(4, 'deployed', 'Rollback to 2'),
      ];
      assert.deepEqual(failedUpgrade(history, 2), { revision: 3, rolledBackTo: 2 });
      assert.deepEqual(failedUpgrade(history.slice(0, 3), 2), { revision: 3, rolledBackTo: undefined });
      assert.deepEqual(failedUpgrade([], undefined), { revision: undefined, rolledBackTo: undefined });
    });
  });

  describe('serverSideFlags', () => {
    const runnerFor = (major: number) =>
      new HelmRunner({
        helm: {
          path: `/opt/helm${major}/helm`,
          version: { major, minor: 1, patch: 0, text: `v${major}.1.0` },
        },
        logger: silentLogger,
        tempRoot: makeTempDir('ssa'),
      });

    it('passes --server-side and --force-conflicts to Helm 4', () => {
      const helm = runnerFor(4);
      try {
        assert.deepEqual(serverSideFlags(helm, { apply: 'true', forceConflicts: true }), [
          '--server-side=true',
          '--force-conflicts',
        ]);
        assert.deepEqual(serverSideFlags(helm, { apply: 'auto', forceConflicts: false }), [
          '--server-side=auto',
        ]);
        assert.throws(
          () => serverSideFlags(helm, { apply: 'false', forceConflicts: true }),
          /'forceConflicts' is true but 'serverSideApply' is false/,
        );
      } finally {
        helm.dispose();
      }
    });

    it('refuses server-side apply on Helm 3, naming the input and the binary', () => {
      const helm = runnerFor(3);
      try {
        assert.deepEqual(serverSideFlags(helm, { apply: 'auto', forceConflicts: false }), []);
        assert.deepEqual(serverSideFlags(helm, { apply: 'false', forceConflicts: false }), []);
        assert.throws(
          () => serverSideFlags(helm, { apply: 'true', forceConflicts: false }),
          /'serverSideApply: true' needs Helm 4: Helm v3\.1\.0 at \/opt\/helm3\/helm/,
        );
        assert.throws(
          () => serverSideFlags(helm, { apply: 'auto', forceConflicts: true }),
          /'forceConflicts: true'/,
        );
      } finally {
        helm.dispose();
      }
    });
  });
});
