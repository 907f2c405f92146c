import assert from 'node:assert/strict';
import { UserError } from '../../../tasks/common/errors';
import https from 'node:https';
import {
  AgentHttpAgents,
  httpSettings,
  isProxyBypassed,
  tlsAgentOptions,
} from '../../../tasks/common/net/agentNetwork';
import { proxyTunnelAgent, proxyTunnelAgentClass } from '../../../tasks/common/net/proxyTunnelAgent';
import { devOpsRequestOptions } from '../../../tasks/common/agent/devOpsRequestOptions';
import { summarizeEntraError } from '../../../tasks/common/azure/connectionCredential';
import { startHttpsServer } from '../../emulators/httpsServer';

describe('agent network settings', () => {
  it('refuses a client certificate without its key, naming the agent settings, rather than dropping it', () => {
    assert.throws(
      () => httpSettings({ tls: { certFile: '/agent/client.pem' } }),
      (err: unknown) =>
        err instanceof UserError &&
        /\/agent\/client\.pem \(Agent\.ClientCert\) comes without its private key \(Agent\.ClientCertKey\)/.test(
          err.message,
        ),
    );
  });

  it('matches Agent.ProxyBypassList regexes against the whole URL, ignoring case', () => {
    const bypass = ['\\.internal\\.fabrikam\\.com', '^https://127\\.0\\.0\\.1:'];
    assert.equal(isProxyBypassed('https://vault.INTERNAL.fabrikam.com/secrets', bypass), true);
    assert.equal(isProxyBypassed('https://127.0.0.1:8443/x', bypass), true);
    assert.equal(isProxyBypassed('https://login.microsoftonline.com/t', bypass), false);
    assert.equal(
      isProxyBypassed('https://a.test/', ['(unclosed']),
      false,
      'an invalid regex bypasses nothing',
    );
  });

  it('trusts the agent CA through one secure context built once', async () => {
    const server = await startHttpsServer((_req, res) => {
      res.end('ok');
    });
    try {
      const options = tlsAgentOptions(httpSettings({ tls: { caFile: server.caFile } }));
      assert.ok(options?.secureContext, 'a secure context is built');
      assert.equal(options?.rejectUnauthorized, undefined, 'certificates are still checked');
      const agent = new https.Agent({ ...options, keepAlive: false });
      const body = await new Promise<string>((resolve, reject) => {
        https
          .get(server.url, { agent }, (res) => {
            let text = '';
            res.on('data', (d: Buffer) => (text += d.toString()));
            res.on('end', () => resolve(text));
          })
          .on('error', reject);
      });
      assert.equal(body, 'ok', 'a server signed by the agent CA is trusted');
      const agents = new AgentHttpAgents({ tls: { caFile: server.caFile } });
      assert.equal(
        agents.agentFor(server.url),
        agents.agentFor(`${server.url}/other`),
        'one agent per route',
      );
      assert.equal(
        tlsAgentOptions(httpSettings({ tls: { skipCertValidation: true } }))?.rejectUnauthorized,
        false,
      );
    } finally {
      await server.stop();
    }
  });

  it('picks a tunnel, a TLS agent or nothing per URL', () => {
    const none = new AgentHttpAgents({});
    assert.equal(none.agentFor('https://login.microsoftonline.com/'), undefined);
    const agents = new AgentHttpAgents({
      proxy: { url: 'http://proxy.test:3128', bypass: ['\\.local\\b'] },
      tls: { skipCertValidation: true },
    });
    assert.ok(agents.agentFor('https://login.microsoftonline.com/') instanceof proxyTunnelAgentClass());
    const direct = agents.agentFor('https://vault.local/');
    assert.ok(direct instanceof https.Agent && !(direct instanceof proxyTunnelAgentClass()));
    assert.equal(agents.agentFor('http://169.254.169.254/metadata/identity/oauth2/token'), undefined);
    assert.throws(
      () => proxyTunnelAgent({ url: 'https://proxy.test:443' }),
      /only http:\/\/ forward proxies/,
    );
    assert.doesNotThrow(() => proxyTunnelAgent({ url: 'proxy.test:3128' }).destroy());
    agents.destroy();
  });

  it('maps the settings to azure-devops-node-api request options', () => {
    assert.deepEqual(
      devOpsRequestOptions({
        proxy: { url: 'http://proxy.test:3128', username: 'u', password: 'p', bypass: ['x'] },
        tls: { caFile: '/ca.pem', skipCertValidation: true },
      }),
      {
        proxy: {
          proxyUrl: 'http://proxy.test:3128',
          proxyUsername: 'u',
          proxyPassword: 'p',
          proxyBypassHosts: ['x'],
        },
        cert: { caFile: '/ca.pem', certFile: undefined, keyFile: undefined, passphrase: undefined },
        ignoreSslError: true,
      },
    );
    assert.deepEqual(devOpsRequestOptions({}), {});
  });
});

describe('summarizeEntraError', () => {
  it("keeps Entra's sentence and ids out of MSAL's wrapping", () => {
    const msal =
      'invalid_client: Error(s): 7000215 - Timestamp: 2026-01-01 10:00:00Z - Description: AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 1111\r\nCorrelation ID: 2222\r\nTimestamp: 2026-01-01 10:00:00Z - Correlation ID: 2222 - Trace ID: 1111';
    assert.equal(
      summarizeEntraError(msal),
      'AADSTS7000215: Invalid client secret provided (trace id 1111, correlation id 2222)',
    );
    assert.equal(
      summarizeEntraError('connect ECONNREFUSED\n127.0.0.1:1'),
      'connect ECONNREFUSED 127.0.0.1:1',
    );
  });
});

describe('the one proxy-bypass rule', () => {
  it("matches the whole URL (task-lib) and the agent's scheme://host[:port] form", () => {
    assert.equal(
      isProxyBypassed('https://registry.corp:5000/v2/x', ['^https://registry\\.corp:5000$']),
      true,
    );
    assert.equal(isProxyBypassed('https://registry.corp/v2/', ['^https://registry\\.corp$']), true);
    assert.equal(isProxyBypassed('https://other.corp/v2/', ['^https://registry\\.corp$']), false);
  });

  it('skips an invalid pattern, as the agent does, and keeps the valid ones working', () => {
    const bypass = ['(unclosed', '\\.internal\\b'];
    assert.equal(isProxyBypassed('https://a.internal/x', bypass), true);
    assert.equal(isProxyBypassed('https://a.test/x', bypass), false);
    assert.deepEqual(
      devOpsRequestOptions({ proxy: { url: 'http://proxy.test:3128', bypass } }).proxy?.proxyBypassHosts,
      ['\\.internal\\b'],
      'typed-rest-client, which throws on an invalid pattern, gets the valid ones only',
    );
  });
});
