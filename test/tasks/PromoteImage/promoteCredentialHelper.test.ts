// PromoteImage@1 signing in through the agent's Docker config with a real credential helper
// (`credHelpers`): the helper's secret reaches the registry and never the log; a failing helper
// fails the task naming the helper and the registry, and what it printed stays out of the log
// (the runner's leak check fails the test if any of it appears).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startRegistry, type RegistryFixture, type RegistryUser } from '../../emulators/registry';
import { getManifest, pushImage } from '../../emulators/registry/images';
import { disposeTaskRuns } from '../../support/taskRunner';
import {
  writeCredentialHelpers,
  writeDockerConfig,
  type HelperBin,
} from '../../support/dockerCredentialHelpers';
import { failureOf, output, promote, succeeded } from './promoteRun';

const releaser: RegistryUser = {
  username: 'releaser',
  password: 'helper-held-password-5150',
  access: { '*': ['pull', 'push'] },
};
const PRINTED = 'helper-printed-this-6620';

describe('PromoteImage@1 with Docker credential helpers', function () {
  this.timeout(180_000);
  let reg: RegistryFixture;
  let helpers: HelperBin;
  const configs: string[] = [];

  before(async () => {
    reg = await startRegistry({ auth: 'basic', users: [releaser] });
    helpers = writeCredentialHelpers({
      vault: `printf '{"ServerURL":"%s","Username":"${releaser.username}","Secret":"${releaser.password}"}' "$url"`,
      locked: `echo "vault locked, cached ${PRINTED}" >&2; echo "${PRINTED}"; exit 2`,
    });
  });
  after(async () => {
    disposeTaskRuns();
    helpers?.remove();
    configs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
    await reg?.stop();
  });

  const run = (helper: string) => {
    const dockerConfig = writeDockerConfig({ credHelpers: { [reg.host]: helper } });
    configs.push(dockerConfig);
    return promote({
      inputs: { sourceImage: `${reg.host}/team/api:1.0.0`, targetImage: `${reg.host}/prod/api` },
      env: { DOCKER_CONFIG: dockerConfig, PATH: `${helpers.dir}:${process.env['PATH'] ?? ''}` },
      secrets: [releaser.password, PRINTED],
    });
  };

  it('signs in with the password a credHelpers helper gives, without printing it', async () => {
    const image = await pushImage(reg, 'team/api', { format: 'oci', tag: '1.0.0' });
    const promoted = succeeded(await run('vault'));
    assert.equal(output(promoted, 'digest'), image.digest);
    assert.equal((await getManifest(reg, 'prod/api', '1.0.0'))?.digest, image.digest);
    assert.ok(helpers.asked('vault').includes(reg.host), 'the helper was asked for the registry host');
    assert.ok(
      promoted.secrets.includes(releaser.password),
      'the helper secret was registered with the agent',
    );
  });

  it('a failing helper fails the task naming helper and registry, with none of its output', async () => {
    const failed = await run('locked');
    const message = failureOf(failed);
    assert.ok(message.includes('docker-credential-locked'), message);
    assert.ok(message.includes(reg.host), message);
    assert.ok(!failed.stdout.includes('vault locked'), 'the helper stderr is not in the log');
    assert.ok(!failed.stdout.includes('    at '), 'no stack trace');
  });
});
