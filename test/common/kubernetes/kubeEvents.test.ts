// Kubernetes events are read through the HTTP foundation: through the agent's proxy (unless its
// bypass list names the API server), trusting the agent's CA where the kubeconfig names none.
import assert from 'node:assert/strict';
import { recentWarnings } from '../../../tasks/common/kubernetes';
import type { HttpSettings } from '../../../tasks/common/net';
import { startForwardProxy, type ForwardProxy } from '../../emulators/forwardProxy';
import { startHttpsServer, type RunningHttpsServer } from '../../emulators/httpsServer';
import { recordingLogger } from '../../support/registryTestClient';

const TOKEN = 'kube-token-for-event-tests';

const EVENTS = {
  items: [
    {
      type: 'Warning',
      reason: 'BackOff',
      message: 'Back-off restarting failed container',
      involvedObject: { kind: 'Pod', name: 'cart-7d9f-abcde' },
      lastTimestamp: '2026-12-05T10:00:00Z',
    },
  ],
};

describe('kubernetes/kubeEvents: events through the agent network settings', function () {
  this.timeout(60_000);
  let api: RunningHttpsServer;
  let proxy: ForwardProxy;
  const seen: string[] = [];

  before(async () => {
    api = await startHttpsServer((req, res) => {
      seen.push(`${req.headers.authorization ?? ''} ${req.url ?? ''}`);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(EVENTS));
    });
    proxy = await startForwardProxy();
  });
  after(async () => {
    await Promise.all([api?.stop(), proxy?.stop()]);
  });

  function kubeconfig(withCa: boolean): string {
    const ca = Buffer.from(api.caPem).toString('base64');
    return [
      'apiVersion: v1',
      'kind: Config',
      'current-context: test',
      'clusters:',
      `- name: test\n  cluster:\n    server: ${api.url}${withCa ? `\n    certificate-authority-data: ${ca}` : ''}`,
      'users:',
      `- name: test\n  user:\n    token: ${TOKEN}`,
      'contexts:',
      '- name: test\n  context:\n    cluster: test\n    user: test',
      '',
    ].join('\n');
  }

  const read = (network: HttpSettings, withCa = true, logger = recordingLogger()) =>
    recentWarnings(kubeconfig(withCa), 'shop', ['cart'], new Date(0), logger, network);

  it("goes through the agent's proxy (CONNECT) with the kubeconfig's token", async () => {
    const before = proxy.requests.length;
    seen.length = 0;
    const events = await read({ proxy: { url: proxy.url, bypass: [] } });
    assert.deepEqual(
      events?.map((e) => `${e.reason} ${e.object}`),
      ['BackOff Pod/cart-7d9f-abcde'],
    );
    assert.deepEqual(
      proxy.requests.slice(before).map((r) => `${r.method} ${r.target}`),
      [`CONNECT 127.0.0.1:${api.port}`],
    );
    assert.deepEqual(seen, [`Bearer ${TOKEN} /api/v1/namespaces/shop/events?fieldSelector=type%3DWarning`]);
  });

  it('goes direct to an API server the bypass list names', async () => {
    const before = proxy.requests.length;
    const events = await read({ proxy: { url: proxy.url, bypass: ['^https://127\\.0\\.0\\.1:'] } });
    assert.equal(events?.length, 1);
    assert.deepEqual(proxy.requests.slice(before), []);
  });

  it("trusts the agent's CA when the kubeconfig names none, and nothing else", async () => {
    assert.equal((await read({ ca: api.caPem }, false))?.length, 1);
    const logger = recordingLogger();
    assert.equal(await read({}, false, logger), undefined);
    assert.ok(
      logger.lines.some(
        (l) => l.startsWith('info: Events not read:') && l.includes(`Kubernetes API 127.0.0.1:${api.port}`),
      ),
      logger.lines.join('\n'),
    );
  });
});
