// Azure Resource Manager (AKS credentials) and the Kubernetes API (events for failure diagnostics)
// answering what they never do: an HTML 502 page, HTML with 200, a body over the limit, a body cut
// off, a wrong content type. AKS credentials end in a UserError naming Resource Manager's host, the
// action and the cluster; unread events are reported naming the API server and the namespace.
import type { AccessToken, TokenCredential } from '@azure/identity';
import assert from 'node:assert/strict';
import { fetchAksKubeconfig } from '../../../tasks/common/kubernetes/aksCredentials';
import { recentWarnings } from '../../../tasks/common/kubernetes/kubeEvents';
import { HOSTILE_KINDS, type HostileFront, startHostileFront } from '../../emulators/hostileAnswers';
import { recordingLogger, recordingSecrets } from '../../support/registryTestClient';
import { assertNamesWhere, failure } from '../../support/failureMessages';

const fakeCredential: TokenCredential = {
  getToken: (): Promise<AccessToken> =>
    Promise.resolve({ token: 'arm-token-for-hostile-tests', expiresOnTimestamp: Date.now() + 3_600_000 }),
};

const OPTIONS = {
  oversizeBytes: 9 * 1024 * 1024,
  wrongType: { contentType: 'text/plain', body: 'kubeconfig: none' },
};

describe('helm/hostileCluster: unusable ARM and Kubernetes API answers name the service, the action and the cluster', function () {
  this.timeout(90_000);
  let front: HostileFront;
  let tried = 0;
  beforeEach(async () => {
    front = await startHostileFront({ tls: true });
  });
  afterEach(() => front.close());
  after(() => console.log(`      ARM and Kubernetes API hostile answers tried: ${tried}`));

  for (const kind of HOSTILE_KINDS) {
    it(`AKS listClusterUserCredential answered ${kind}`, async () => {
      front.script({ match: (m) => m === 'POST', kind, options: OPTIONS });
      const err = await failure(
        fetchAksKubeconfig({
          cluster: {
            subscriptionId: 'c0ffee00-1111-2222-3333-444455556666',
            resourceGroup: 'rg-shop',
            name: 'aks-shop',
          },
          admin: false,
          resourceManagerUrl: `${front.url}/`,
          managementScope: `${front.url}/.default`,
          credential: fakeCredential,
          transport: { ca: front.caPem ?? '' },
          logger: recordingLogger(),
          secrets: recordingSecrets(),
        }),
      );
      tried++;
      assertNamesWhere(err.message, kind, [
        `Azure Resource Manager ${front.host}`,
        'listClusterUserCredential',
        "AKS cluster 'aks-shop' in resource group 'rg-shop'",
      ]);
    });

    it(`Kubernetes events answered ${kind}`, async () => {
      front.script({ match: (_m, path) => path.endsWith('/events'), kind, options: OPTIONS });
      const logger = recordingLogger();
      const events = await recentWarnings(kubeconfig(front), 'shop', ['cart'], new Date(0), logger, {});
      tried++;
      assert.equal(events, undefined);
      const line = logger.lines.find((l) => l.startsWith('info: Events not read:'));
      assert.ok(line, logger.lines.join('\n'));
      assertNamesWhere(line, kind, [`Kubernetes API ${front.host}`, "Warning events of namespace 'shop'"]);
    });
  }
});

function kubeconfig(front: HostileFront): string {
  const ca = Buffer.from(front.caPem ?? '').toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'current-context: test',
    'clusters:',
    `- name: test\n  cluster:\n    server: ${front.url}\n    certificate-authority-data: ${ca}`,
    'contexts:',
    '- name: test\n  context:\n    cluster: test\n    user: test',
    'users:',
    '- name: test\n  user:\n    token: kube-token-for-hostile-tests',
    '',
  ].join('\n');
}
