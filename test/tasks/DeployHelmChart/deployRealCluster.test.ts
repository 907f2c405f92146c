// Opt-in: DeployHelmChart@1 against a real cluster (kind, AKS...) when TEST_KUBECONFIG names a
// kubeconfig file; skipped otherwise. Each Helm version gets its own namespace
// (rg-helm-e2e-<random>-<major>), deleted at the end. Images are the pause image, so the
// workloads really become ready: set TEST_IMAGE to use another (e.g. a mirror).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import { apiAccess, type ApiAccess } from '../../../tasks/common/kubernetes/kubeEvents';
import { toolPath } from '../../support/tools';
import { DEFAULT_CAUSE, assertSucceeded, changeCauseOf, deploy, disposeTaskRuns } from './deployRun';
import { HELMS, copyChart, removeTempDirs } from '../../support/helmUnderTest';

const kubeconfigFile = process.env['TEST_KUBECONFIG'];
const image = process.env['TEST_IMAGE'] ?? 'registry.k8s.io/pause:3.10';

const apiRequestOptions = ({ headers, tls }: ApiAccess): https.RequestOptions => ({
  ...(tls.ca ? { ca: tls.ca } : {}),
  ...(tls.cert && tls.key ? { cert: tls.cert, key: tls.key } : {}),
  rejectUnauthorized: !tls.skipVerify,
  headers,
  timeout: 15_000,
});

/** One request to the cluster's API with the kubeconfig's credentials; the parsed body, or undefined on 404. */
function api(method: 'GET' | 'DELETE', path: string): Promise<unknown> {
  const access = apiAccess(fs.readFileSync(kubeconfigFile ?? '', 'utf8'));
  if (!access) throw new Error('TEST_KUBECONFIG needs a token or client-certificate user (no exec plugins)');
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(path, access.server),
      { ...apiRequestOptions(access), method },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode === 404) return resolve(undefined);
          if ((res.statusCode ?? 500) >= 300)
            return reject(new Error(`${method} ${path}: HTTP ${res.statusCode}`));
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

(kubeconfigFile ? describe : describe.skip)(
  'DeployHelmChart@1 task against a real cluster (TEST_KUBECONFIG)',
  function () {
    this.timeout(900_000);
    const suffix = crypto.randomBytes(3).toString('hex');
    after(async () => {
      disposeTaskRuns();
      removeTempDirs();
      for (const helm of HELMS)
        await api('DELETE', `/api/v1/namespaces/rg-helm-e2e-${suffix}-${helm.major}`).catch(() => undefined);
    });

    for (const helm of HELMS) {
      it(`${helm.name}: install, upgrade, roll back and uninstall with the change cause`, async () => {
        const namespace = `rg-helm-e2e-${suffix}-${helm.major}`;
        const chart = copyChart('workloads');
        const common = {
          connectionType: 'kubeconfig',
          kubeconfig: kubeconfigFile ?? '',
          releaseName: 'shop',
          namespace,
          chart,
          values: `image=${image}\nconfig.list=a,b c`,
          timeout: '5m',
        };
        const deployment = () => api('GET', `/apis/apps/v1/namespaces/${namespace}/deployments/shop-web`);

        const installed = await deploy({ helmBin: toolPath(helm.tool), inputs: common, timeoutMs: 400_000 });
        assertSucceeded(installed);
        assert.equal(changeCauseOf(await deployment()), DEFAULT_CAUSE);
        for (const kind of ['statefulsets/shop-db', 'daemonsets/shop-agent']) {
          assert.equal(
            changeCauseOf(await api('GET', `/apis/apps/v1/namespaces/${namespace}/${kind}`)),
            DEFAULT_CAUSE,
            kind,
          );
        }

        const upgraded = await deploy({
          helmBin: toolPath(helm.tool),
          inputs: { ...common, changeCause: 'second rollout' },
          timeoutMs: 400_000,
        });
        assertSucceeded(upgraded);
        assert.equal(upgraded.variables['revision']?.value, '2');
        assert.equal(changeCauseOf(await deployment()), 'second rollout');
        assert.ok(
          upgraded.summaries.some(
            (s) => s.content.includes('second rollout') && s.content.includes(DEFAULT_CAUSE),
          ),
        );

        const rolledBack = await deploy({
          helmBin: toolPath(helm.tool),
          inputs: { ...common, action: 'rollback' },
          timeoutMs: 400_000,
        });
        assertSucceeded(rolledBack);
        assert.equal(rolledBack.variables['revision']?.value, '3');
        assert.equal(changeCauseOf(await deployment()), DEFAULT_CAUSE);

        const removed = await deploy({
          helmBin: toolPath(helm.tool),
          inputs: { ...common, action: 'uninstall' },
          timeoutMs: 400_000,
        });
        assertSucceeded(removed);
        assert.equal(removed.variables['status']?.value, 'uninstalled');
      });
    }
  },
);
