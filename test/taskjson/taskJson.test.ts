// Every task.json the extension ships (as packaged in the .vsix) and every test-only task passes
// the schema, tfx's rules and ours (the checker's own tests: test/taskjson/taskJsonRules.test.ts).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { checkTaskJson } from '../support/taskJsonRules';
import { repoRoot } from '../support/tools';
import { shippedTaskDir, testTaskDir } from '../support/vsix';

type Json = Record<string, unknown>;
const root = repoRoot();
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
const taskFolders = (dir: string, pattern: RegExp) =>
  fs.existsSync(dir)
    ? fs.readdirSync(dir).filter((n) => pattern.test(n) && fs.existsSync(path.join(dir, n, 'task.json')))
    : [];
const shipped = taskFolders(path.join(root, 'tasks'), /V\d+$/);
const testOnly = taskFolders(path.join(root, 'test', 'fixtures', 'tasks'), /^[^.]/);

describe('task.json of every task', () => {
  it('there are shipped tasks to check', () => {
    assert.ok(shipped.length > 0, 'no tasks/*V*/task.json found');
  });

  for (const name of shipped) {
    it(`${name}: the packaged task.json passes the schema, tfx and project rules`, () => {
      const dir = shippedTaskDir(name);
      const packaged = readJson(path.join(dir, 'task.json'));
      assert.deepEqual(checkTaskJson(packaged, dir), []);
      assert.deepEqual(
        packaged,
        readJson(path.join(root, 'tasks', name, 'task.json')),
        'packaged copy is stale',
      );
    });
  }

  for (const name of testOnly) {
    it(`${name} (test-only): the built task.json passes the schema, tfx and project rules`, () => {
      const dir = testTaskDir(name);
      assert.deepEqual(checkTaskJson(readJson(path.join(dir, 'task.json')), dir), []);
    });
  }

  // Restrictions stop hostile data from setting variables or prepending to PATH even if a logging
  // command slipped through. InjectKeyVaultSecrets sets variables named after vault secrets (or
  // the user's mapping), which no fixed list can name.
  const UNRESTRICTED: Record<string, string> = {
    InjectKeyVaultSecretsV1: 'sets variables named by the vault and the secrets input',
  };
  for (const name of shipped) {
    it(`${name}: declares restrictions.settableVariables${UNRESTRICTED[name] ? ' (exempt: ' + UNRESTRICTED[name] + ')' : ''}`, () => {
      const restrictions = readJson(path.join(root, 'tasks', name, 'task.json'))['restrictions'] as
        { settableVariables?: { allowed?: string[] } } | undefined;
      const allowed = restrictions?.settableVariables?.allowed;
      if (UNRESTRICTED[name]) assert.equal(allowed, undefined);
      else assert.ok(Array.isArray(allowed), `${name} has no restrictions.settableVariables.allowed`);
      assert.ok(
        !(allowed ?? []).some((p) => p === '*' || /^path$/i.test(p)),
        `${name} allows PATH or everything`,
      );
    });
  }

  it('task ids are unique across the extension and the test-only tasks', () => {
    const ids = [
      ...shipped.map((n) => [n, readJson(path.join(shippedTaskDir(n), 'task.json'))['id']]),
      ...testOnly.map((n) => [
        n,
        readJson(path.join(root, 'test', 'fixtures', 'tasks', n, 'task.json'))['id'],
      ]),
    ];
    const seen = new Map<string, string>();
    for (const [task, id] of ids) {
      const key = String(id).toLowerCase();
      assert.ok(!seen.has(key), `${String(task)} reuses the id of ${seen.get(key)}: ${String(id)}`);
      seen.set(key, String(task));
    }
  });
});
