// The agent's Docker config with real credential helper programs (credHelpers, credsStore): the
// answer they give, and failures that name the helper and the registry without quoting what the
// helper printed (it may be a secret), nor a broken `auth` value.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { DockerConfigCredentials } from '../../../tasks/common/registry/dockerConfig';
import { UserError } from '../../../tasks/common/errors';
import { recordingSecrets } from '../../support/registryTestClient';
import {
  writeCredentialHelpers,
  writeDockerConfig,
  type HelperBin,
} from '../../support/dockerCredentialHelpers';

const HOST = 'registry.example:5000';
const SECRET = 'helper-secret-value-1';
/** Text the failing helpers print: none of it may reach a message. */
const PRINTED = ['leaked-on-stderr-77', 'leaked-on-stdout-78', 'leaked-not-json-79'];

describe('credentials/dockerConfig: Docker credential helpers and auths entries', () => {
  let helpers: HelperBin;
  let savedPath: string | undefined;
  const dirs: string[] = [];

  before(() => {
    helpers = writeCredentialHelpers({
      good: `printf '{"ServerURL":"%s","Username":"robot","Secret":"${SECRET}"}' "$url"`,
      token: `printf '{"ServerURL":"%s","Username":"<token>","Secret":"identity-from-store"}' "$url"`,
      broken: `echo "keychain locked; last value ${PRINTED[0]}" >&2; echo "${PRINTED[1]}"; exit 4`,
      notjson: `echo "Username=robot Secret=${PRINTED[2]}"`,
      empty: 'echo "credentials not found in native keychain"; exit 1',
    });
    savedPath = process.env['PATH'];
    process.env['PATH'] = `${helpers.dir}:${savedPath ?? ''}`;
  });
  after(() => {
    process.env['PATH'] = savedPath;
    helpers.remove();
    dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
  });

  const load = (config: unknown) => {
    const dir = writeDockerConfig(config);
    dirs.push(dir);
    const secrets = recordingSecrets();
    const loaded = DockerConfigCredentials.load(dir, secrets);
    assert.ok(loaded);
    return { config: loaded, secrets, file: `${dir}/config.json` };
  };

  /** The promise rejects with a UserError naming every `named` text and quoting none of `hidden`. */
  const failsNaming = async (promise: Promise<unknown>, named: string[], hidden: string[]) => {
    await assert.rejects(promise, (err: unknown) => {
      assert.ok(err instanceof UserError, String(err));
      for (const text of named) assert.ok(err.message.includes(text), `${text} not in: ${err.message}`);
      for (const text of hidden) assert.ok(!err.message.includes(text), `${text} leaked: ${err.message}`);
      return true;
    });
  };

  it('credHelpers: runs docker-credential-<name> get with the host on stdin and registers the secret', async () => {
    const { config, secrets } = load({
      credHelpers: { [HOST]: 'good', 'docker.io': 'good' },
      auths: { [HOST]: { auth: Buffer.from('other:ignored').toString('base64') } },
    });
    assert.deepEqual(await config.forHost(HOST), { kind: 'basic', username: 'robot', password: SECRET });
    assert.deepEqual(await config.forHost('docker.io'), {
      kind: 'basic',
      username: 'robot',
      password: SECRET,
    });
    assert.deepEqual(helpers.asked('good'), [HOST, 'https://index.docker.io/v1/']);
    assert.ok(secrets.values.has(SECRET), 'the helper secret is registered before use');
  });

  it('credsStore: used for hosts without credHelpers or auths; a <token> user is an identity token', async () => {
    const { config, secrets } = load({ credsStore: 'token', credHelpers: { 'other.example': 'good' } });
    assert.deepEqual(await config.forHost(HOST), {
      kind: 'refreshToken',
      refreshToken: 'identity-from-store',
    });
    assert.ok(secrets.values.has('identity-from-store'));
  });

  it('a helper saying "credentials not found" means no credential (anonymous)', async () => {
    const { config } = load({ credHelpers: { [HOST]: 'empty' } });
    assert.equal(await config.forHost(HOST), undefined);
  });

  it('a failing helper: the message names the helper, the registry and the exit code, not its output', async () => {
    const { config, file } = load({ credHelpers: { [HOST]: 'broken' } });
    await failsNaming(
      config.forHost(HOST),
      ['docker-credential-broken', HOST, 'exit code 4', file],
      [...PRINTED, 'keychain locked'],
    );
  });

  it('a helper answering something else than JSON fails without quoting the answer', async () => {
    const { config } = load({ credsStore: 'notjson' });
    await failsNaming(config.forHost(HOST), ['docker-credential-notjson', HOST, 'not its JSON'], PRINTED);
  });

  it('a helper missing from PATH is named with the config file', async () => {
    const { config, file } = load({ credHelpers: { [HOST]: 'absent' } });
    await failsNaming(
      config.forHost(HOST),
      ['docker-credential-absent', "not on the agent's PATH", file],
      [],
    );
  });

  it('an auths entry whose auth is not base64, or not of user:password, fails without quoting it', async () => {
    const notBase64 = 'pa$$word-in-clear:not*base64';
    const noColon = Buffer.from('user-without-colon-secret').toString('base64');
    const { config, secrets, file } = load({
      auths: { [HOST]: { auth: notBase64 }, 'second.example': { auth: noColon } },
    });
    await failsNaming(config.forHost(HOST), [file, HOST, 'not base64:'], [notBase64, 'pa$$word']);
    await failsNaming(
      config.forHost('second.example'),
      [file, 'second.example', 'not base64 of user:password'],
      [noColon, 'user-without-colon-secret'],
    );
    assert.ok(secrets.values.has(notBase64) && secrets.values.has(noColon), 'registered as secrets anyway');
  });

  it('a config that is not JSON fails naming the file, not quoting the text around the error', () => {
    const dir = writeDockerConfig('{"auths":{"h":{"auth":"c2VjcmV0LXRleHQtaW4tY29uZmln"}},');
    dirs.push(dir);
    assert.throws(
      () => DockerConfigCredentials.load(dir, recordingSecrets()),
      (err: unknown) =>
        err instanceof UserError &&
        err.message.includes(`${dir}/config.json`) &&
        !err.message.includes('c2VjcmV0'),
    );
  });
});
