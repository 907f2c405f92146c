// helm registry login keeps the credential in the run's private registry config, never in an OS
// credential store: the config is seeded so Helm does not go looking for one.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { probeHelm } from '../../../tasks/common/helm/findHelm';
import { HelmRunner } from '../../../tasks/common/helm/helmRunner';
import { helmRegistryLogin } from '../../../tasks/common/helm/registryLogin';
import { silentLogger } from '../../../tasks/common/log';
import { startRegistry, type RegistryFixture } from '../../emulators/registry';
import { toolPath } from '../../support/tools';
import { HELMS, makeTempDir, removeTempDirs } from '../../support/helmUnderTest';

describe('helm registry login into the private registry config', function () {
  this.timeout(60_000);
  let reg: RegistryFixture;
  before(async () => {
    reg = await startRegistry({ auth: 'basic' });
  });
  after(async () => {
    removeTempDirs();
    await reg?.stop();
  });

  for (const helm of HELMS) {
    it(`${helm.name}: the login lands in the run's config file, for that host`, async () => {
      const binary = await probeHelm(toolPath(helm.tool));
      const runner = new HelmRunner({ helm: binary, logger: silentLogger, tempRoot: makeTempDir('login') });
      try {
        await helmRegistryLogin(runner, reg.host, reg.admin, true);
        const config = JSON.parse(fs.readFileSync(runner.registryConfigFile, 'utf8')) as {
          auths?: Record<string, { auth?: string }>;
          credsStore?: string;
        };
        assert.equal(config.credsStore, undefined, 'no OS credential store');
        const auth = config.auths?.[reg.host]?.auth;
        assert.equal(
          Buffer.from(auth ?? '', 'base64').toString(),
          `${reg.admin.username}:${reg.admin.password}`,
        );
        assert.equal(fs.statSync(runner.registryConfigFile).mode & 0o077, 0, 'readable by the owner only');
      } finally {
        runner.dispose();
      }
    });
  }
});
