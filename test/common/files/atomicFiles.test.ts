// replaceFilesAtomically across several files: a rename failing part way puts back the originals
// of the files already replaced, and says which file failed. The failure is real: just before its
// rename, a target is turned into a non-empty folder, which no rename can replace (root included).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../../../tasks/common/errors';
import { replaceFilesAtomically } from '../../../tasks/common/files/atomicFiles';

/** Makes `file` a folder holding one file, so renaming anything over it fails (EISDIR/ENOTEMPTY). */
function turnIntoFolder(file: string): void {
  fs.rmSync(file);
  fs.mkdirSync(file);
  fs.writeFileSync(path.join(file, 'keep'), 'x');
}

/** fs.renameSync, but `sabotage(to)` runs first when `when(from, to)` holds. */
function renameWith(when: (from: string, to: string) => boolean, sabotage: (to: string) => void) {
  return (from: string, to: string): void => {
    if (when(from, to)) sabotage(to);
    fs.renameSync(from, to);
  };
}

describe('replaceFilesAtomically: all or nothing across files', () => {
  let dir: string;
  const names = ['a.yaml', 'b.yaml', 'c.yaml', 'd.yaml'];
  const file = (name: string) => path.join(dir, name);
  const originals = (name: string) => `original ${name}\n`;
  const update = () => names.map((n) => ({ path: file(n), bytes: Buffer.from(`new ${n}\n`) }));

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atomic-files-'));
    names.forEach((n, i) => {
      fs.writeFileSync(file(n), originals(n));
      fs.chmodSync(file(n), 0o600 + i * 0o10);
    });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('replaces every file, keeping each mode, with no temporary file or second link left', async () => {
    const inodes = names.map((n) => fs.statSync(file(n)).ino);
    await replaceFilesAtomically(update());
    names.forEach((n, i) => {
      assert.equal(fs.readFileSync(file(n), 'utf8'), `new ${n}\n`);
      assert.equal(fs.statSync(file(n)).mode & 0o777, 0o600 + i * 0o10);
      assert.equal(fs.statSync(file(n)).nlink, 1);
      assert.notEqual(fs.statSync(file(n)).ino, inodes[i], 'replaced by rename, not rewritten in place');
    });
    assert.deepEqual(fs.readdirSync(dir).sort(), names);
  });

  it('puts back the files already replaced when a later rename fails, naming the file', async () => {
    const inodes = names.map((n) => fs.statSync(file(n)).ino);
    const rename = renameWith((_from, to) => to === file('c.yaml'), turnIntoFolder);
    await assert.rejects(replaceFilesAtomically(update(), { rename }), (err: Error) => {
      assert.ok(err instanceof UserError);
      assert.match(err.message, /^Could not replace .*c\.yaml: /);
      assert.match(err.message, /No file was changed: the 2 file\(s\) replaced before it were restored/);
      return true;
    });
    for (const [i, n] of ['a.yaml', 'b.yaml', 'd.yaml'].entries()) {
      assert.equal(fs.readFileSync(file(n), 'utf8'), originals(n), `${n} keeps its original bytes`);
      const index = names.indexOf(n);
      assert.equal(fs.statSync(file(n)).ino, inodes[index], `${n} is its original file (#${i})`);
      assert.equal(fs.statSync(file(n)).mode & 0o777, 0o600 + index * 0o10);
    }
    assert.deepEqual(fs.readdirSync(dir).sort(), names, 'no temporary file or kept original left');
  });

  it('says nothing was changed when the first rename fails', async () => {
    const rename = renameWith((_from, to) => to === file('a.yaml'), turnIntoFolder);
    await assert.rejects(
      replaceFilesAtomically(update(), { rename }),
      /a\.yaml: .*\. No file was changed\.$/,
    );
    for (const n of names.slice(1)) assert.equal(fs.readFileSync(file(n), 'utf8'), originals(n));
    assert.deepEqual(fs.readdirSync(dir).sort(), names);
  });

  it('names an original it could not put back, and keeps it', async () => {
    let failed = false;
    const rename = (from: string, to: string): void => {
      if (to === file('c.yaml')) turnIntoFolder(to);
      if (failed && to === file('a.yaml')) turnIntoFolder(to); // putting a.yaml back fails too
      if (to === file('c.yaml')) failed = true;
      fs.renameSync(from, to);
    };
    let message = '';
    await assert.rejects(
      replaceFilesAtomically(update(), { rename }),
      (err: Error) => ((message = err.message), true),
    );
    assert.match(message, /^Could not replace .*c\.yaml: /);
    assert.match(message, /1 file\(s\) replaced before it could not be restored/);
    const kept = /a\.yaml \(its original is kept at ([^:]+):/.exec(message)?.[1];
    assert.ok(kept, message);
    assert.equal(fs.readFileSync(kept, 'utf8'), originals('a.yaml'));
    assert.equal(fs.readFileSync(file('b.yaml'), 'utf8'), originals('b.yaml'), 'b.yaml was put back');
  });

  it('stages many files at once, renames them in the order given, and changes nothing when one cannot be staged', async () => {
    const many = Array.from({ length: 40 }, (_, i) => `m${String(i).padStart(2, '0')}.yaml`);
    many.forEach((n) => fs.writeFileSync(file(n), originals(n)));
    const renamed: string[] = [];
    const rename = (from: string, to: string): void => {
      renamed.push(path.basename(to));
      fs.renameSync(from, to);
    };
    const content = (n: string) => ({ path: file(n), bytes: Buffer.from(`new ${n}\n`) });
    await replaceFilesAtomically(many.map(content), { rename });
    assert.deepEqual(renamed, many);
    many.forEach((n) => assert.equal(fs.readFileSync(file(n), 'utf8'), `new ${n}\n`));

    many.forEach((n) => fs.writeFileSync(file(n), originals(n)));
    const broken = many.map((n, i) => (i === 25 ? { ...content(n), path: file(`gone/${n}`) } : content(n)));
    await assert.rejects(
      replaceFilesAtomically(broken),
      /Could not write .*gone\/m25\.yaml: .*No file was changed\.$/,
    );
    many.forEach((n) => assert.equal(fs.readFileSync(file(n), 'utf8'), originals(n), `${n} unchanged`));
    assert.deepEqual(
      fs.readdirSync(dir).sort(),
      [...names, ...many].sort(),
      'no temporary file or kept original left',
    );
  });
});
