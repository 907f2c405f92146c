import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../../tasks/common/errors';
import { FakeRegistry, fakeDigest } from '../../emulators/fakeRegistry';
import { RecordingLogger, copyFixture, runPin, snapshot } from '../../support/pinningFixtures';

const COMPOSE = 'docker-compose.yml';

describe('pinning engine: verify', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  /** The compose fixture, pinned (format as given), with only its pinnable services. */
  async function pinnedCompose(format: 'tagAndDigest' | 'digestOnly' = 'tagAndDigest'): Promise<string> {
    const dir = copyFixture('compose');
    dirs.push(dir);
    await runPin(dir, { resolve: new FakeRegistry().resolve, format });
    return dir;
  }

  it('passes on pinned files without changing them, checking each digest and each tag once', async () => {
    const dir = await pinnedCompose();
    const before = snapshot(dir);
    const registry = new FakeRegistry();
    const logger = new RecordingLogger();
    const report = await runPin(dir, { resolve: registry.resolve, action: 'verify', logger });
    assert.deepEqual(snapshot(dir), before);
    assert.deepEqual(report.drift, []);
    assert.equal(report.lock.images.length, 3);
    const digests = registry.calls.filter((c) => c.includes('@'));
    const tags = registry.calls.filter((c) => !c.includes('@'));
    assert.equal(digests.length, 3);
    assert.deepEqual(tags.sort(), [
      'docker.io/library/postgres:16.2',
      'docker.io/library/redis:7.2-alpine',
      'fabrikam.azurecr.io/delivery:v1.0.2',
    ]);
    assert.deepEqual(
      logger.warnings.filter((w) => !w.includes('TOOLS_IMAGE')),
      [],
    );
  });

  it('fails on a reference that is not pinned, naming file and line', async () => {
    const dir = await pinnedCompose();
    const file = path.join(dir, COMPOSE);
    const text = fs.readFileSync(file, 'utf8').replace(/postgres:16\.2@sha256:[0-9a-f]+/, 'postgres:16.2');
    fs.writeFileSync(file, text);
    const line = text.split('\n').findIndex((l) => l.includes('image: postgres:16.2 ')) + 1;
    await assert.rejects(
      runPin(dir, { resolve: new FakeRegistry().resolve, action: 'verify' }),
      (err: unknown) =>
        err instanceof UserError &&
        err.message.startsWith('Verification failed: 1 problem(s)') &&
        err.message.includes(
          `${COMPOSE}:${line}: services.db.image: postgres:16.2 is not pinned to a digest`,
        ),
    );
  });

  it('fails when a pinned digest no longer exists in its registry', async () => {
    const dir = await pinnedCompose();
    const registry = new FakeRegistry();
    const digest = fakeDigest('docker.io/library/redis:7.2-alpine');
    registry.missing.add(`docker.io/library/redis:7.2-alpine@${digest}`);
    await assert.rejects(
      runPin(dir, { resolve: registry.resolve, action: 'verify' }),
      (err: unknown) =>
        err instanceof UserError &&
        /docker-compose\.yml:\d+: redis:7\.2-alpine@sha256:[0-9a-f]{64} could not be verified: .*404/.test(
          err.message,
        ),
    );
  });

  it('warns about a tag that moved since pinning; fails with failOnDrift', async () => {
    const dir = await pinnedCompose();
    const registry = new FakeRegistry();
    const moved = fakeDigest('somewhere else');
    registry.moved.set('docker.io/library/postgres:16.2', moved);
    const logger = new RecordingLogger();
    const report = await runPin(dir, { resolve: registry.resolve, action: 'verify', logger });
    assert.equal(report.drift.length, 1);
    assert.equal(report.drift[0]?.currentDigest, moved);
    assert.ok(logger.warnings.some((w) => w.includes('postgres:16.2 has moved since pinning')));
    await runPin(dir, { resolve: new FakeRegistry().resolve, action: 'verify', failOnDrift: true });
    await assert.rejects(
      runPin(dir, { resolve: registry.resolve, action: 'verify', failOnDrift: true }),
      /docker-compose\.yml:\d+: the tag docker\.io\/library\/postgres:16\.2 has moved since pinning/,
    );
  });

  it('checks digest-only references for drift through the tags of the previous lock', async () => {
    const dir = copyFixture('compose');
    dirs.push(dir);
    const pinned = await runPin(dir, { resolve: new FakeRegistry().resolve, format: 'digestOnly' });
    assert.doesNotMatch(fs.readFileSync(path.join(dir, COMPOSE), 'utf8'), /postgres:16\.2/);
    const registry = new FakeRegistry();
    registry.moved.set('docker.io/library/postgres:16.2', fakeDigest('new build'));
    const withoutLock = await runPin(dir, { resolve: registry.resolve, action: 'verify' });
    assert.deepEqual(withoutLock.drift, [], 'no tag known without the lock');
    const withLock = await runPin(dir, {
      resolve: registry.resolve,
      action: 'verify',
      previousLock: pinned.lock,
    });
    assert.deepEqual(
      withLock.drift.map((d) => d.tagReference),
      ['docker.io/library/postgres:16.2'],
    );
  });

  it('sees a platform digest pinned from a tag as no drift', async () => {
    const dir = copyFixture('compose');
    dirs.push(dir);
    const platformRegistry = new FakeRegistry();
    const resolve = platformRegistry.resolve;
    await runPin(dir, {
      resolve: async (ref) => {
        const r = await resolve(ref);
        return ref.digest ? r : { ...r, platformDigest: r.childDigests?.[0], platformMediaType: 'manifest' };
      },
    });
    const text = fs.readFileSync(path.join(dir, COMPOSE), 'utf8');
    const index = fakeDigest('docker.io/library/postgres:16.2');
    assert.ok(text.includes(`postgres:16.2@${fakeDigest(`${index}/linux/amd64`)}`), text);
    const report = await runPin(dir, { resolve: new FakeRegistry().resolve, action: 'verify' });
    assert.deepEqual(report.drift, []);
  });
});
