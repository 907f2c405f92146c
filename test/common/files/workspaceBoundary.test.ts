// The workspace boundary's resolver and check on their own: paths that do not exist yet, dangling
// and chained links, loops, and a working directory reached through a link.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../../../tasks/common/errors';
import { confineFiles, realLocation } from '../../../tasks/common/files/workspaceBoundary';

describe('workspace boundary', () => {
  let root: string;
  let ws: string;
  let outside: string;
  const folder = () => [{ name: 'the working directory', path: ws }];
  beforeEach(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'boundary-')));
    ws = path.join(root, 'ws');
    outside = path.join(root, 'outside');
    fs.mkdirSync(path.join(ws, 'deploy'), { recursive: true });
    fs.mkdirSync(outside);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('resolves a file not written yet below a linked folder, and a chain of links ending in a dangling one', () => {
    fs.symlinkSync(outside, path.join(ws, 'out'));
    assert.equal(
      realLocation(path.join(ws, 'out', 'new', 'lock.json')),
      path.join(outside, 'new', 'lock.json'),
    );
    fs.symlinkSync('../outside/missing.json', path.join(ws, 'dangling.json'));
    fs.symlinkSync('dangling.json', path.join(ws, 'chain.json'));
    assert.equal(realLocation(path.join(ws, 'chain.json')), path.join(outside, 'missing.json'));
  });

  it('lists every path leading out in one error, and accepts paths inside (also through a linked root)', () => {
    fs.writeFileSync(path.join(ws, 'deploy', 'app.yaml'), '');
    fs.symlinkSync(path.join(outside, 'a.yaml'), path.join(ws, 'deploy', 'a.yaml'));
    fs.symlinkSync('../../outside', path.join(ws, 'deploy', 'ext'));
    assert.throws(
      () =>
        confineFiles(
          [
            path.join(ws, 'deploy', 'app.yaml'),
            path.join(ws, 'deploy', 'a.yaml'),
            path.join(ws, 'deploy', 'ext', 'b.yaml'),
          ],
          folder(),
          'files',
        ),
      (err: Error) => {
        assert.ok(err instanceof UserError);
        assert.match(err.message, /^Input 'files' names 2 path\(s\) leading outside the working directory /);
        assert.ok(err.message.includes(`deploy/a.yaml -> ${path.join(outside, 'a.yaml')}`), err.message);
        assert.ok(err.message.includes(`deploy/ext/b.yaml -> ${path.join(outside, 'b.yaml')}`), err.message);
        assert.ok(!err.message.includes('app.yaml ->'), err.message);
        return true;
      },
    );
    fs.symlinkSync(ws, path.join(root, 'ws-link'));
    const inside = path.join(root, 'ws-link', 'deploy', 'app.yaml');
    assert.deepEqual(
      confineFiles([inside], [{ name: 'the working directory', path: path.join(root, 'ws-link') }], 'files'),
      [path.join(ws, 'deploy', 'app.yaml')],
    );
  });

  it('refuses a sibling folder whose name only starts like the working directory', () => {
    fs.mkdirSync(`${ws}-other`);
    assert.throws(
      () => confineFiles([path.join(`${ws}-other`, 'x.yaml')], folder(), 'files'),
      /ws-other\/x\.yaml/,
    );
  });

  it('fails on a loop of links instead of hanging', () => {
    fs.symlinkSync('b', path.join(ws, 'a'));
    fs.symlinkSync('a', path.join(ws, 'b'));
    assert.throws(() => realLocation(path.join(ws, 'a')), /too many levels of symbolic links/);
  });
});
