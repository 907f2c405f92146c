import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../../tasks/common/errors';
import { FakeRegistry } from '../../emulators/fakeRegistry';
import { copyFixture, runPin, snapshot } from '../../support/pinningFixtures';

async function failure(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (err) {
    assert.ok(err instanceof UserError, `a UserError, got ${String(err)}`);
    return err.message;
  }
  assert.fail('the run was expected to fail');
}

describe('pinning engine: all or nothing', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const fixture = (name: string): string => {
    const dir = copyFixture(name);
    dirs.push(dir);
    return dir;
  };
  const files = (dir: string, names: string[]): string[] => names.map((n) => path.join(dir, n));

  it('changes no file when one reference among many fails, and lists every place it is written', async () => {
    const dir = fixture('failures');
    const registry = new FakeRegistry();
    registry.missing.add('fabrikam.azurecr.io/gone:1.0');
    const before = snapshot(dir);
    const message = await failure(
      runPin(dir, { resolve: registry.resolve, files: files(dir, ['app.yaml', 'docker-compose.yml']) }),
    );
    assert.deepEqual(snapshot(dir), before, 'no file changed');
    assert.match(message, /^No file was changed: 2 problem\(s\):/);
    assert.match(message, /app\.yaml:12: fabrikam\.azurecr\.io\/gone:1\.0 could not be resolved: .*404/);
    assert.match(message, /docker-compose\.yml:5: fabrikam\.azurecr\.io\/gone:1\.0 could not be resolved/);
    assert.deepEqual(
      [...registry.calls].sort(),
      [
        'docker.io/library/redis:7.2',
        'fabrikam.azurecr.io/app:2.0.0',
        'fabrikam.azurecr.io/gone:1.0',
        'fabrikam.azurecr.io/web:3.1',
      ],
      'the good references were still resolved, each once',
    );
    assert.deepEqual(
      fs.readdirSync(dir).filter((n) => n.endsWith('.tmp')),
      [],
      'no temporary file left',
    );
  });

  it('lists a parse error, an invalid reference, mutable tags and a missing image together', async () => {
    const dir = fixture('failures');
    const registry = new FakeRegistry();
    registry.missing.add('fabrikam.azurecr.io/gone:1.0');
    const before = snapshot(dir);
    const message = await failure(runPin(dir, { resolve: registry.resolve }));
    assert.deepEqual(snapshot(dir), before);
    const lines = message.split('\n').slice(1);
    assert.deepEqual(
      lines.map((l) => /^ {2}(\S+?): /.exec(l)?.[1]),
      [
        'Dockerfile:1',
        'Dockerfile:2',
        'app.yaml:12',
        'broken.yaml:4',
        'docker-compose.yml:5',
        'invalid.yaml:8',
      ],
      message,
    );
    assert.match(message, /Dockerfile:1: FROM \(stage 0\): nginx:latest uses the tag latest/);
    assert.match(message, /Dockerfile:2: FROM \(stage 1\): alpine has no tag/);
    assert.match(message, /broken\.yaml:4: not valid YAML/);
    assert.match(message, /invalid\.yaml:8: .*Invalid image reference "Fabrikam\/App:1\.0"/);
  });

  it('pins latest and untagged references when failOnMutableTags is false', async () => {
    const dir = fixture('failures');
    const report = await runPin(dir, {
      resolve: new FakeRegistry().resolve,
      files: files(dir, ['Dockerfile']),
      failOnMutableTags: false,
    });
    assert.deepEqual(report.filesChanged, ['Dockerfile']);
    const text = fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8');
    assert.match(text, /^FROM nginx:latest@sha256:[0-9a-f]{64} AS web$/m);
    assert.match(text, /^FROM alpine@sha256:[0-9a-f]{64}$/m);
  });

  it('leaves references outside the include patterns, or inside the exclude patterns, alone', async () => {
    const dir = fixture('failures');
    const registry = new FakeRegistry();
    const report = await runPin(dir, {
      resolve: registry.resolve,
      files: files(dir, ['docker-compose.yml']),
      include: ['fabrikam.azurecr.io/*', 'redis'],
      exclude: ['*/gone*'],
    });
    assert.deepEqual([...registry.calls].sort(), [
      'docker.io/library/redis:7.2',
      'fabrikam.azurecr.io/web:3.1',
    ]);
    assert.equal(report.excluded, 1);
    const text = fs.readFileSync(path.join(dir, 'docker-compose.yml'), 'utf8');
    assert.match(text, /image: fabrikam\.azurecr\.io\/gone:1\.0\n/);
    assert.match(text, /image: redis:7\.2@sha256:/);
  });

  it('resolves each unique reference once, with no more lookups in flight than the bound', async () => {
    const dir = fixture('kubernetes');
    const registry = new FakeRegistry();
    await runPin(dir, { resolve: registry.resolve, concurrency: 2 });
    assert.equal(registry.calls.length, new Set(registry.calls).size);
    assert.ok(registry.calls.length > 2);
    assert.equal(registry.maxInFlight, 2);
  });

  it('lock action writes no file but returns the same lock as pin', async () => {
    const dir = fixture('compose');
    const before = snapshot(dir);
    const lock = await runPin(dir, { resolve: new FakeRegistry().resolve, action: 'lock' });
    assert.deepEqual(snapshot(dir), before);
    assert.deepEqual(lock.filesChanged, []);
    const pin = await runPin(dir, { resolve: new FakeRegistry().resolve, action: 'pin' });
    assert.deepEqual(lock.lock, pin.lock);
    assert.equal(lock.lock.images.length, 3);
  });
});
