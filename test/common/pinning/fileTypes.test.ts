import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PinFormat } from '../../../tasks/common/pinning/types';
import { FakeRegistry, fakeDigest } from '../../emulators/fakeRegistry';
import {
  FIXTURES,
  RecordingLogger,
  copyFixture,
  expectedName,
  inputFiles,
  runPin,
} from '../../support/pinningFixtures';

const cases: { name: string; format: PinFormat; variant: string }[] = [
  { name: 'kubernetes', format: 'tagAndDigest', variant: '' },
  { name: 'kubernetes', format: 'digestOnly', variant: 'digestOnly' },
  { name: 'helm', format: 'tagAndDigest', variant: '' },
  { name: 'compose', format: 'tagAndDigest', variant: '' },
  { name: 'dockerfile', format: 'tagAndDigest', variant: '' },
  { name: 'dockerfile', format: 'digestOnly', variant: 'digestOnly' },
  { name: 'kustomize', format: 'tagAndDigest', variant: '' },
  { name: 'crlf', format: 'tagAndDigest', variant: '' },
];

describe('pinning engine: each file type against its expected file', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  for (const { name, format, variant } of cases) {
    it(`${name} (${format}) becomes exactly its expected file`, async () => {
      const dir = copyFixture(name);
      dirs.push(dir);
      const registry = new FakeRegistry();
      const report = await runPin(dir, { resolve: registry.resolve, format });
      for (const file of inputFiles(dir)) {
        const base = path.basename(file);
        const expected = fs.readFileSync(path.join(FIXTURES, name, expectedName(base, variant)), 'utf8');
        assert.equal(
          fs.readFileSync(file, 'utf8'),
          expected,
          `${name}/${base} differs from its expected file`,
        );
      }
      assert.ok(report.filesChanged.length > 0, 'some file changed');
      assert.equal(registry.calls.length, new Set(registry.calls).size, 'each reference resolved once');
      assert.equal(report.registryLookups, registry.calls.length);
    });
  }

  it('changes nothing when run again on pinned files, verifying each pinned digest once', async () => {
    const dir = copyFixture('kubernetes');
    dirs.push(dir);
    await runPin(dir, { resolve: new FakeRegistry().resolve });
    const pinned = fs.readFileSync(path.join(dir, 'workloads.yaml'), 'utf8');
    const again = new FakeRegistry();
    const report = await runPin(dir, { resolve: again.resolve });
    assert.deepEqual(report.filesChanged, []);
    assert.equal(fs.readFileSync(path.join(dir, 'workloads.yaml'), 'utf8'), pinned);
    assert.ok(again.calls.length > 0);
    assert.ok(
      again.calls.every((c) => c.includes('@sha256:')),
      `every lookup names a digest: ${again.calls.join(', ')}`,
    );
  });

  it('keeps CRLF line endings: no bare line feed appears', async () => {
    const dir = copyFixture('crlf');
    dirs.push(dir);
    await runPin(dir, { resolve: new FakeRegistry().resolve });
    for (const file of inputFiles(dir)) {
      const text = fs.readFileSync(file, 'utf8');
      assert.doesNotMatch(text, /[^\r]\n/, `${path.basename(file)} has a bare LF`);
      assert.match(text, /sha256:[0-9a-f]{64}/);
    }
  });

  it('keeps each file mode, follows symbolic links, and leaves no temporary file', async () => {
    const dir = copyFixture('compose');
    dirs.push(dir);
    const real = path.join(dir, 'docker-compose.yml');
    fs.chmodSync(real, 0o640);
    fs.mkdirSync(path.join(dir, 'linked'));
    const link = path.join(dir, 'linked', 'compose.yaml');
    fs.symlinkSync(real, link);
    await runPin(dir, { resolve: new FakeRegistry().resolve, files: [link] });
    assert.equal(fs.statSync(real).mode & 0o777, 0o640);
    assert.ok(fs.lstatSync(link).isSymbolicLink(), 'the link is still a link');
    assert.match(fs.readFileSync(real, 'utf8'), /postgres:16\.2@sha256:/);
    assert.deepEqual(
      fs.readdirSync(dir).filter((n) => n.endsWith('.tmp')),
      [],
    );
  });

  it('skips Helm templates and files of no known type with a warning; pins JSON manifests', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pin-skip-'));
    dirs.push(dir);
    const template = path.join(dir, 'deployment.yaml');
    fs.writeFileSync(template, 'spec:\n  image: {{ .Values.image }}\n  {{- if .Values.x }}\n');
    const notes = path.join(dir, 'NOTES.txt');
    fs.writeFileSync(notes, 'Thanks for installing.\n');
    const json = path.join(dir, 'pod.json');
    fs.writeFileSync(
      json,
      '{\n  "apiVersion": "v1",\n  "kind": "Pod",\n  "spec": {"containers": [{"image": "busybox:1.36"}]}\n}\n',
    );
    const logger = new RecordingLogger();
    const report = await runPin(dir, {
      resolve: new FakeRegistry().resolve,
      files: [template, notes, json],
      logger,
    });
    assert.deepEqual(
      report.skipped.map((s) => s.file),
      ['deployment.yaml', 'NOTES.txt'],
    );
    assert.ok(logger.warnings.some((w) => w.startsWith('deployment.yaml: skipped, a Helm template')));
    assert.deepEqual(report.filesChanged, ['pod.json']);
    assert.match(fs.readFileSync(json, 'utf8'), /"image": "busybox:1\.36@sha256:[0-9a-f]{64}"/);
  });

  it('records every occurrence in the lock, by file and line, in order', async () => {
    const dir = copyFixture('kubernetes');
    dirs.push(dir);
    const source = fs.readFileSync(path.join(dir, 'workloads.yaml'), 'utf8').split('\n');
    const report = await runPin(dir, { resolve: new FakeRegistry().resolve });
    const delivery = report.lock.images.find((i) => i.reference === 'fabrikam.azurecr.io/delivery:v1.0.2');
    assert.ok(delivery, 'delivery is in the lock');
    const lines = source.flatMap((l, i) =>
      /image: fabrikam\.azurecr\.io\/delivery:v1\.0\.2$/.test(l) ? [i + 1] : [],
    );
    assert.equal(lines.length, 2);
    assert.deepEqual(
      delivery.occurrences,
      lines.map((line) => ({ file: 'workloads.yaml', line })),
    );
    const digest = fakeDigest('fabrikam.azurecr.io/delivery:v1.0.2');
    assert.equal(delivery.digest, digest);
    assert.equal(delivery.resolved, `fabrikam.azurecr.io/delivery:v1.0.2@${digest}`);
    const references = report.lock.images.map((i) => i.reference);
    assert.deepEqual(references, [...references].sort());
  });

  it('reports ARG-built Dockerfile references and skips scratch, stages and heredoc text', async () => {
    const dir = copyFixture('dockerfile');
    dirs.push(dir);
    const registry = new FakeRegistry();
    const logger = new RecordingLogger();
    const report = await runPin(dir, { resolve: registry.resolve, logger });
    assert.deepEqual(
      report.unresolvable.map((u) => [u.line, u.text]),
      [
        [5, 'golang:${GO_VERSION}'],
        [27, '${BASE}'],
      ],
    );
    assert.ok(logger.warnings.some((w) => w.includes('${BASE}') && w.includes('Dockerfile:27')));
    const looked = registry.calls.join(' ');
    for (const notAnImage of ['scratch', 'nothing', '/build', '/certs', '/test']) {
      assert.ok(!looked.includes(notAnImage), `${notAnImage} was looked up: ${looked}`);
    }
    assert.deepEqual([...registry.calls].sort(), [
      'docker.io/library/alpine:3.19',
      'docker.io/library/busybox:1.36',
      'mcr.microsoft.com/dotnet/sdk:8.0',
    ]);
  });

  it('reports Helm images without a tag and templated values instead of guessing', async () => {
    const dir = copyFixture('helm');
    dirs.push(dir);
    const report = await runPin(dir, { resolve: new FakeRegistry().resolve });
    const texts = report.unresolvable.map((u) => u.text);
    assert.deepEqual(texts, ['fabrikam.azurecr.io/legacy', '{{ .Values.global.imageRegistry }}/tools:1.0']);
    const reloader = report.lock.images.find((i) => i.reference.startsWith('ghcr.io/fabrikam/reloader'));
    assert.equal(reloader?.occurrences.length, 1, 'an alias is pinned once, at its anchor');
  });
});
