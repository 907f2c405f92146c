// A real registry for tests: CNCF distribution 2.8 (`docker-registry serve`) on 127.0.0.1 with
// its own temporary storage, anonymous, with htpasswd basic auth, or with bearer tokens from a
// local token server (Docker token protocol plus ACR's /oauth2/exchange). Optionally behind a
// proxy that injects faults. Everything it starts, stop() ends, and its temp folder is removed.
import bcrypt from 'bcryptjs';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { toolPath } from '../../support/tools';
import { startFaultProxy, type FaultProxy } from '../faultProxy';
import {
  PortInUseError,
  runningRegistries,
  startRegistryProcess,
  type RegistryAuthConfig,
  type RegistryProcess,
} from './registryProcess';
import { startAcrFront, type AcrFront } from './acrFront';
import { createTokenSigner } from './tokenSigner';
import { startTokenServer, type TokenServer } from './tokenServer';
import type { RegistryAuth, RegistryFixture, RegistryUser, StartRegistryOptions } from './types';

export type {
  AcrRequest,
  Action,
  BodyCut,
  Fault,
  GrantedAccess,
  RegistryAuth,
  RegistryFixture,
  RegistryRequest,
  RegistryUser,
  StartRegistryOptions,
  TokenRequest,
} from './types';

export { runningRegistries };

export const TOKEN_ISSUER = 'registry-fixture-token-issuer';
/** Cost of the htpasswd bcrypt entries: what `htpasswd -B` writes by default. */
const BCRYPT_COST = 5;
const PORT_ATTEMPTS = 5;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** htpasswd lines with bcrypt hashes, `$2y$` as Apache's htpasswd writes them. */
function htpasswd(users: readonly RegistryUser[]): string {
  return users
    .map((u) => {
      const hash = bcrypt.hashSync(u.password, BCRYPT_COST).replace(/^\$2[ab]\$/, '$2y$');
      return `${u.username}:${hash}\n`;
    })
    .join('');
}

export async function startRegistry(
  options: StartRegistryOptions & { faults?: boolean } = {},
): Promise<RegistryFixture> {
  const auth: RegistryAuth = options.auth ?? 'anonymous';
  const admin: RegistryUser = {
    username: 'admin',
    password: crypto.randomBytes(18).toString('base64url'),
    access: { '*': ['*'] },
  };
  const users = [...(options.users ?? [])];
  if (users.some((u) => u.username === admin.username)) {
    throw new Error(`user name "${admin.username}" is reserved for the fixture's admin`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'registry-fixture-'));
  let proxy: FaultProxy | undefined;
  let tokenServer: TokenServer | undefined;
  let registry: RegistryProcess | undefined;
  let acrFront: AcrFront | undefined;

  const cleanup = async (): Promise<void> => {
    await registry?.stop();
    await tokenServer?.close();
    await acrFront?.close();
    await proxy?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    const bin = toolPath('DOCKER_REGISTRY_BIN');
    if (options.tls && (options.faults || auth === 'token'))
      throw new Error(
        'the fault proxy (also the token-auth front) speaks plain HTTP: no faults or token auth with tls',
      );
    // Token auth: the token server is reached through a front on the registry's own port (as
    // ACR's /oauth2/token is), since credentials go to a realm only on the registry's host and port.
    if (options.faults || auth === 'token') proxy = await startFaultProxy();
    if (options.acr && auth !== 'token') throw new Error('the ACR lock API front needs token auth');
    // ACR's lock API in front of everything else, on the port the clients are given.
    if (options.acr) acrFront = await startAcrFront();
    let tls: { certificate: string; key: string } | undefined;
    if (options.tls) {
      tls = { certificate: path.join(dir, 'server.pem'), key: path.join(dir, 'server.key') };
      fs.writeFileSync(tls.certificate, options.tls.certPem);
      fs.writeFileSync(tls.key, options.tls.keyPem, { mode: 0o600 });
    }
    const signer = auth === 'token' ? await createTokenSigner(dir) : undefined;
    let authConfig: RegistryAuthConfig = { kind: 'none' };
    if (auth === 'basic') {
      const file = path.join(dir, 'htpasswd');
      fs.writeFileSync(file, htpasswd([admin, ...users]), { mode: 0o600 });
      authConfig = { kind: 'htpasswd', file };
    }

    for (let attempt = 1; !registry; attempt++) {
      const port = await freePort();
      const host = `127.0.0.1:${acrFront?.port ?? proxy?.port ?? port}`;
      if (signer) {
        tokenServer = await startTokenServer({
          service: host,
          issuer: TOKEN_ISSUER,
          signer,
          users: [admin, ...users],
          anonymousAccess: options.anonymousAccess ?? {},
          entraTokens: options.entraTokens ?? {},
          lifetimeSeconds: options.tokenLifetimeSeconds ?? 300,
          publicOrigin: `http://${host}`,
        });
        proxy?.setTokenPort(tokenServer.port);
        acrFront?.configure({ host, issuer: TOKEN_ISSUER, signer });
        authConfig = {
          kind: 'token',
          realm: tokenServer.realm,
          service: host,
          issuer: TOKEN_ISSUER,
          rootCertBundle: signer.certificateFile,
        };
      }
      try {
        registry = await startRegistryProcess({ bin, dir, port, auth: authConfig, ...(tls ? { tls } : {}) });
      } catch (err) {
        await tokenServer?.close();
        tokenServer = undefined;
        if (!(err instanceof PortInUseError) || attempt >= PORT_ATTEMPTS) throw err;
      }
    }
    proxy?.setUpstreamPort(registry.port);
    acrFront?.setUpstreamPort(proxy?.port ?? registry.port);
  } catch (err) {
    await cleanup();
    throw err;
  }

  const started = registry;
  const token = tokenServer;
  const faultProxy = options.faults ? proxy : undefined;
  const front = proxy;
  const acr = acrFront;
  let stopping: Promise<void> | undefined;
  return {
    host: `127.0.0.1:${acr?.port ?? front?.port ?? started.port}`,
    scheme: options.tls ? 'https' : 'http',
    auth,
    admin,
    users,
    tokenServer: token ? { url: token.url, requests: () => token.requests() } : undefined,
    requests: () => (faultProxy ? Promise.resolve(faultProxy.requests()) : started.requests()),
    ...(acr ? { acr: { requests: () => acr.requests(), refusals: () => acr.refusals() } } : {}),
    resetRequests() {
      acr?.reset();
      front?.reset();
      started.reset();
    },
    injectFault: faultProxy ? (fault) => faultProxy.inject(fault) : undefined,
    injectCut: faultProxy ? (cut) => faultProxy.injectCut(cut) : undefined,
    stop: () => (stopping ??= cleanup()),
  };
}
