// The agent's client certificate (Agent.ClientCertArchive as PFX, or Agent.ClientCert with its
// key) reaches registry calls through the one network builder, as it reaches the Azure SDK: a
// registry front that requires a client certificate in the TLS handshake answers the client.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { RegistryClient } from '../../../tasks/common/registry/client';
import { listTags } from '../../../tasks/common/registry';
import { httpSettings, type TlsSettings } from '../../../tasks/common/net';
import { startHttpsServer, type RunningHttpsServer } from '../../emulators/httpsServer';
import { clientCertificate, type ClientCertificate } from '../../emulators/testCertificates';
import { toolPath } from '../../support/tools';
import { recordingLogger, recordingSecrets } from '../../support/registryTestClient';

const PASSPHRASE = 'pfx-passphrase-for-tests';

describe('registry/clientCertificate: registry calls present the agent client certificate', function () {
  this.timeout(60_000);
  let cert: ClientCertificate;
  let server: RunningHttpsServer;
  let dir: string;
  const presented: string[] = [];

  before(async () => {
    cert = await clientCertificate('release-guard-agent');
    server = await startHttpsServer(
      (req, res) => {
        presented.push(String((req.socket as TLSSocket).getPeerCertificate().subject?.CN));
        res.setHeader('content-type', 'application/json');
        if (req.url === '/v2/') res.end('{}');
        else if (req.url?.startsWith('/v2/team/app/tags/list'))
          res.end('{"name":"team/app","tags":["v1","v2"]}');
        else res.writeHead(404).end('{"errors":[{"code":"NAME_UNKNOWN"}]}');
      },
      { hosts: ['registry.release-guard.test', '127.0.0.1'], clientCa: cert.certPem },
    );
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'client-cert-'));
    fs.writeFileSync(path.join(dir, 'client.pem'), cert.certPem);
    fs.writeFileSync(path.join(dir, 'client.key'), cert.keyPem, { mode: 0o600 });
    await promisify(execFile)(
      toolPath('OPENSSL_BIN'),
      [
        'pkcs12',
        '-export',
        '-in',
        'client.pem',
        '-inkey',
        'client.key',
        '-out',
        'client.pfx',
        '-passout',
        `pass:${PASSPHRASE}`,
      ],
      { cwd: dir },
    );
  });
  after(async () => {
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  function client(tls: TlsSettings): RegistryClient {
    return new RegistryClient({
      credentials: () => Promise.resolve({ kind: 'anonymous' }),
      transport: httpSettings({ tls: { caFile: server.caFile, ...tls } }),
      logger: recordingLogger(),
      secrets: recordingSecrets(),
      retry: { maxRetries: 0 },
    });
  }

  async function tagsWith(tls: TlsSettings): Promise<string[]> {
    const registry = client(tls);
    try {
      return await listTags(registry.http, { registry: `127.0.0.1:${server.port}`, repository: 'team/app' });
    } finally {
      registry.close();
    }
  }

  it('presents a PFX archive (Agent.ClientCertArchive) with its passphrase', async () => {
    presented.length = 0;
    const tags = await tagsWith({ certArchiveFile: path.join(dir, 'client.pfx'), passphrase: PASSPHRASE });
    assert.deepEqual(tags, ['v1', 'v2']);
    assert.ok(
      presented.length > 0 && presented.every((cn) => cn === 'release-guard-agent'),
      presented.join(),
    );
  });

  it('presents a PEM certificate and key (Agent.ClientCert, Agent.ClientCertKey)', async () => {
    presented.length = 0;
    const tags = await tagsWith({
      certFile: path.join(dir, 'client.pem'),
      keyFile: path.join(dir, 'client.key'),
    });
    assert.deepEqual(tags, ['v1', 'v2']);
    assert.ok(presented.length > 0, 'the server saw no request');
  });

  it('is refused in the handshake without the certificate, so the server really requires one', async () => {
    presented.length = 0;
    await assert.rejects(tagsWith({}));
    assert.deepEqual(presented, []);
  });

  it('names an agent certificate file it cannot read', () => {
    assert.throws(
      () => httpSettings({ tls: { certArchiveFile: path.join(dir, 'missing.pfx') } }),
      /client certificate archive .*missing\.pfx cannot be read/,
    );
  });
});
