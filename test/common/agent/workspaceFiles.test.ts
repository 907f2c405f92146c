// The tasks' one file matcher (agent layer): matched files inside the working directory, and what
// happens when an input's patterns match nothing (PinImageDigests fails, InjectKeyVaultSecrets warns).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { matchInputFiles } from '../../../tasks/common/agent/workspaceFiles';
import { UserError } from '../../../tasks/common/errors';
import type { Logger } from '../../../tasks/common/log';

describe('matchInputFiles (agent layer)', () => {
  let ws: string;
  const warnings: string[] = [];
  const logger: Logger = {
    info: () => undefined,
    debug: () => undefined,
    warn: (m) => warnings.push(m),
    group: (_t, body) => body(),
  };
  before(() => {
    ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'match-')));
    fs.mkdirSync(path.join(ws, 'deploy'));
    fs.writeFileSync(path.join(ws, 'deploy', 'b.yaml'), 'b');
    fs.writeFileSync(path.join(ws, 'deploy', 'a.yaml'), 'a');
    fs.writeFileSync(path.join(ws, 'deploy', 'c.txt'), 'c');
  });
  after(() => fs.rmSync(ws, { recursive: true, force: true }));

  it('lists the matched files once each, sorted', () => {
    const files = matchInputFiles(ws, ['deploy/*.yaml', 'deploy/a.yaml'], 'files', { ifNone: 'fail' });
    assert.deepEqual(files, [path.join(ws, 'deploy', 'a.yaml'), path.join(ws, 'deploy', 'b.yaml')]);
  });

  it('fails naming the input when asked to, else warns and goes on', () => {
    assert.throws(
      () => matchInputFiles(ws, ['**/*.json'], 'files', { ifNone: 'fail' }),
      (err: unknown) => err instanceof UserError && /'files'/.test(err.message) && err.message.includes(ws),
    );
    warnings.length = 0;
    assert.deepEqual(matchInputFiles(ws, ['**/*.json'], 'targetFiles', { ifNone: 'warn', logger }), []);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /'targetFiles'/);
  });

  it('matches nothing, silently, for no patterns', () => {
    warnings.length = 0;
    assert.deepEqual(matchInputFiles(ws, [], 'targetFiles', { ifNone: 'warn', logger }), []);
    assert.equal(warnings.length, 0);
  });
});
