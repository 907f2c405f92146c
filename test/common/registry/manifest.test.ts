import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { UserError } from '../../../tasks/common/errors';
import {
  blobsOf,
  childrenOf,
  parseManifest,
  platformName,
  verifiedManifestDigest,
} from '../../../tasks/common/registry/manifest';
import {
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  MANIFEST_ACCEPT,
  OCI_ARTIFACT_MANIFEST,
  OCI_INDEX,
  OCI_MANIFEST,
} from '../../../tasks/common/registry/mediaTypes';

const sha = (text: string): string => `sha256:${crypto.createHash('sha256').update(text).digest('hex')}`;
const desc = (mediaType: string, seed: string, size = 10) => ({ mediaType, digest: sha(seed), size });
const bytes = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

describe('registry/manifest: parseManifest', () => {
  it('names all four media types (and OCI artifacts) in one Accept header', () => {
    for (const t of [OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST, OCI_ARTIFACT_MANIFEST]) {
      assert.ok(MANIFEST_ACCEPT.split(', ').includes(t), t);
    }
  });

  for (const [mediaType, configType] of [
    [OCI_MANIFEST, 'application/vnd.oci.image.config.v1+json'],
    [DOCKER_MANIFEST, 'application/vnd.docker.container.image.v1+json'],
  ] as const) {
    it(`reads an image manifest (${mediaType}) with config, layers and subject`, () => {
      const subject = desc(OCI_MANIFEST, 'subject');
      const m = parseManifest(
        bytes({
          schemaVersion: 2,
          mediaType,
          artifactType: 'application/x-test',
          config: desc(configType, 'config'),
          layers: [desc('application/vnd.oci.image.layer.v1.tar+gzip', 'l1', 5), desc('x', 'l2', 7)],
          subject,
        }),
        mediaType,
        'test',
      );
      assert.equal(m.kind, 'image');
      assert.equal(m.mediaType, mediaType);
      assert.deepEqual(m.subject, subject);
      assert.equal(m.artifactType, 'application/x-test');
      assert.deepEqual(
        blobsOf(m).map((b) => b.digest),
        [sha('config'), sha('l1'), sha('l2')],
      );
      assert.deepEqual(childrenOf(m), []);
    });
  }

  for (const mediaType of [OCI_INDEX, DOCKER_MANIFEST_LIST]) {
    it(`reads an index (${mediaType}) with platforms`, () => {
      const m = parseManifest(
        bytes({
          schemaVersion: 2,
          mediaType,
          manifests: [
            { ...desc(OCI_MANIFEST, 'amd64'), platform: { os: 'linux', architecture: 'amd64' } },
            { ...desc(OCI_MANIFEST, 'arm'), platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
            { ...desc(OCI_MANIFEST, 'att'), platform: { os: 'unknown', architecture: 'unknown' } },
          ],
        }),
        'application/json',
      );
      assert.equal(m.kind, 'index');
      assert.equal(m.mediaType, mediaType);
      assert.deepEqual(
        childrenOf(m).map((c) => platformName(c.platform)),
        ['linux/amd64', 'linux/arm/v7', undefined],
      );
      assert.deepEqual(blobsOf(m), []);
    });
  }

  it('reads an OCI artifact manifest (blobs, no config)', () => {
    const m = parseManifest(
      bytes({ mediaType: OCI_ARTIFACT_MANIFEST, artifactType: 'sig', blobs: [desc('b', 'blob')] }),
      undefined,
    );
    assert.equal(m.kind, 'artifact');
    assert.deepEqual(
      blobsOf(m).map((b) => b.digest),
      [sha('blob')],
    );
  });

  it('takes the media type from Content-Type, or the shape, when the body has none', () => {
    const image = { schemaVersion: 2, config: desc('c', 'c'), layers: [] };
    assert.equal(parseManifest(bytes(image), `${DOCKER_MANIFEST}; charset=utf-8`).mediaType, DOCKER_MANIFEST);
    assert.equal(parseManifest(bytes(image), 'application/json').mediaType, OCI_MANIFEST);
    assert.equal(parseManifest(bytes({ schemaVersion: 2, manifests: [] }), undefined).mediaType, OCI_INDEX);
  });

  it('skips foreign (non-distributable) layers', () => {
    const m = parseManifest(
      bytes({
        mediaType: DOCKER_MANIFEST,
        config: desc('c', 'c'),
        layers: [
          {
            ...desc('application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', 'win'),
            urls: ['https://x/y'],
          },
          desc('application/vnd.docker.image.rootfs.diff.tar.gzip', 'own'),
        ],
      }),
      undefined,
    );
    assert.deepEqual(
      blobsOf(m).map((b) => b.digest),
      [sha('c'), sha('own')],
    );
  });

  const bad: [string, Buffer, RegExp][] = [
    ['not JSON', Buffer.from('<html>'), /not JSON/],
    [
      'a bad digest',
      bytes({ mediaType: OCI_MANIFEST, config: { mediaType: 'c', digest: 'md5:x', size: 1 }, layers: [] }),
      /config has an invalid digest/,
    ],
    [
      'a negative size',
      bytes({ mediaType: OCI_INDEX, manifests: [{ ...desc('m', 'm'), size: -1 }] }),
      /manifests\[0\] has an invalid size/,
    ],
    ['schema 1', bytes({ schemaVersion: 1, name: 'x', fsLayers: [] }), /schema 1/],
    [
      'an unknown type',
      bytes({ mediaType: 'application/vnd.example+json' }),
      /is not an image manifest or index/,
    ],
  ];
  for (const [what, body, pattern] of bad) {
    it(`refuses ${what} with a UserError naming the image`, () => {
      assert.throws(
        () => parseManifest(body, undefined, 'reg/app:1'),
        (err: unknown) =>
          err instanceof UserError && pattern.test(err.message) && err.message.includes('reg/app:1'),
      );
    });
  }
});

describe('registry/manifest: verifiedManifestDigest', () => {
  const body = Buffer.from('{"schemaVersion":2}');
  const digest = `sha256:${crypto.createHash('sha256').update(body).digest('hex')}`;
  const other = sha('other');

  it('is the sha256 of the bytes received', () => {
    assert.equal(verifiedManifestDigest(body, { where: 'x' }), digest);
    assert.equal(verifiedManifestDigest(body, { where: 'x', requested: digest, header: digest }), digest);
  });

  it('fails when the bytes do not match the digest asked for', () => {
    assert.throws(
      () => verifiedManifestDigest(body, { where: 'r/a@x', requested: other }),
      /not the requested/,
    );
  });

  it('checks sha512 digests with sha512', () => {
    const sha512 = `sha512:${crypto.createHash('sha512').update(body).digest('hex')}`;
    assert.equal(verifiedManifestDigest(body, { where: 'x', requested: sha512 }), sha512);
  });

  it('fails on a wrong header when asked by digest, only reports it for a tag', () => {
    assert.throws(
      () => verifiedManifestDigest(body, { where: 'x', requested: digest, header: other }),
      /differs/,
    );
    const notes: string[] = [];
    assert.equal(
      verifiedManifestDigest(body, { where: 'x', header: other, onHeaderMismatch: (m) => notes.push(m) }),
      digest,
    );
    assert.equal(notes.length, 1);
  });
});
