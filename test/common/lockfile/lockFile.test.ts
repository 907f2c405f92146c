import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findLocked } from '../../../tasks/common/lockfile/findLocked';
import {
  type LockedImage,
  buildImageLock,
  serializeImageLock,
} from '../../../tasks/common/lockfile/imageLock';
import { parseImageLock, readLockFile } from '../../../tasks/common/lockfile/readImageLock';
import { writeLockFile } from '../../../tasks/common/lockfile/writeImageLock';
import { UserError } from '../../../tasks/common/errors';
import { parseImageReference } from '../../../tasks/common/registry/reference';
import { fakeDigest } from '../../emulators/fakeRegistry';

const NGINX = fakeDigest('nginx');
const APP = fakeDigest('app');

function image(reference: string, resolved: string, digest: string, files: [string, number][]): LockedImage {
  return {
    reference,
    resolved,
    digest,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    platforms: ['linux/arm64', 'linux/amd64'],
    occurrences: files.map(([file, line]) => ({ file, line })),
  };
}

const sample = (): LockedImage[] => [
  image('nginx:1.25', `docker.io/library/nginx:1.25@${NGINX}`, NGINX, [
    ['deploy/b.yaml', 9],
    ['deploy/a.yaml', 30],
    ['deploy/a.yaml', 4],
    ['deploy/a.yaml', 4],
  ]),
  image('fabrikam.azurecr.io/app:v1', `fabrikam.azurecr.io/app:v1@${APP}`, APP, [['Dockerfile', 1]]),
];

describe('image lock file', () => {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lock-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('sorts images by reference and occurrences by file then line, without duplicates', () => {
    const lock = buildImageLock(sample(), new Date('2026-05-06T07:08:09Z'));
    assert.deepEqual(
      lock.images.map((i) => i.reference),
      ['fabrikam.azurecr.io/app:v1', 'nginx:1.25'],
    );
    assert.deepEqual(lock.images[1]?.occurrences, [
      { file: 'deploy/a.yaml', line: 4 },
      { file: 'deploy/a.yaml', line: 30 },
      { file: 'deploy/b.yaml', line: 9 },
    ]);
    assert.deepEqual(lock.images[1]?.platforms, ['linux/amd64', 'linux/arm64']);
    assert.equal(lock.generated, '2026-05-06T07:08:09.000Z');
  });

  it('serializes the same lock to the same text whatever the input order: 2-space JSON, trailing newline', () => {
    const when = new Date(0);
    const a = serializeImageLock(buildImageLock(sample(), when));
    const b = serializeImageLock(buildImageLock([...sample()].reverse(), when));
    assert.equal(a, b);
    assert.ok(a.endsWith('}\n'));
    assert.match(a, /^\{\n {2}"version": 1,\n {2}"generated": /);
  });

  it('writes atomically and reads back what it wrote', () => {
    const file = path.join(dir, 'nested', 'image-lock.json');
    const lock = buildImageLock(sample(), new Date(0));
    writeLockFile(file, lock);
    assert.deepEqual(readLockFile(file), lock);
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['image-lock.json'], 'no temporary file left');
  });

  it('names the file and every bad value when the lock is invalid', () => {
    const text = JSON.stringify({
      version: 2,
      generated: 'yesterday',
      images: [
        {
          reference: 'nginx',
          resolved: 'docker.io/library/nginx@sha256:abc',
          digest: 'sha256:abc',
          mediaType: 'x',
        },
        {
          reference: 'app',
          resolved: `r@${APP}`,
          digest: NGINX,
          mediaType: '',
          platforms: [1],
          occurrences: [{ file: 'a', line: 0 }],
        },
      ],
    });
    assert.throws(
      () => parseImageLock(text, 'drop/image-lock.json'),
      (err: unknown) => {
        assert.ok(err instanceof UserError);
        const m = err.message;
        assert.match(m, /^Image lock file drop\/image-lock\.json is not a valid image lock/);
        for (const expected of [
          'version must be 1, got 2',
          'generated must be an ISO 8601 time, got "yesterday"',
          'images[0].digest "sha256:abc" is not a digest',
          'images[0].platforms must be an array of strings',
          'images[0].occurrences must be an array, got nothing',
          'images[1].mediaType must be a non-empty string',
          `images[1].resolved (r@${APP}) must end with @ and the digest`,
          'images[1].platforms must be an array of strings such as "linux/amd64", got [1]',
          'images[1].occurrences[0].line must be a whole number from 1, got 0',
        ]) {
          assert.ok(m.includes(expected), `missing "${expected}" in:\n${m}`);
        }
        return true;
      },
    );
  });

  it('says the file is not JSON, or cannot be read', () => {
    assert.throws(
      () => parseImageLock('{"version":', 'lock.json'),
      /Image lock file lock\.json is not valid JSON/,
    );
    assert.throws(
      () => readLockFile(path.join(dir, 'missing.json')),
      /missing\.json could not be read: .*ENOENT/,
    );
  });

  it('finds an image by its canonical form, tag or digest', () => {
    const lock = buildImageLock(sample(), new Date(0));
    assert.equal(findLocked(lock, parseImageReference('nginx:1.25'))?.digest, NGINX);
    assert.equal(findLocked(lock, parseImageReference('docker.io/library/nginx:1.25'))?.digest, NGINX);
    assert.equal(findLocked(lock, parseImageReference('index.docker.io/library/nginx:1.25'))?.digest, NGINX);
    assert.equal(findLocked(lock, parseImageReference(`nginx@${NGINX}`))?.reference, 'nginx:1.25');
    assert.equal(findLocked(lock, parseImageReference(`fabrikam.azurecr.io/app:v1@${APP}`))?.digest, APP);
    assert.equal(findLocked(lock, parseImageReference('nginx:1.26')), undefined);
    assert.equal(
      findLocked(lock, parseImageReference('nginx')),
      undefined,
      'no tag means latest, which is not locked',
    );
    assert.equal(
      findLocked(lock, parseImageReference(`nginx:1.25@${APP}`)),
      undefined,
      'the digest must match too',
    );
    assert.equal(findLocked(lock, parseImageReference('fabrikam.azurecr.io/other:v1')), undefined);
  });

  it('refuses to choose when the lock names one tag with two digests', () => {
    const lock = buildImageLock(
      [...sample(), image('nginx:1.25@' + APP, `docker.io/library/nginx:1.25@${APP}`, APP, [['x.yaml', 1]])],
      new Date(0),
    );
    assert.throws(
      () => findLocked(lock, parseImageReference('nginx:1.25')),
      /lists nginx:1\.25 with 2 different digests/,
    );
    assert.equal(findLocked(lock, parseImageReference(`nginx:1.25@${APP}`))?.digest, APP);
  });
});
