// Benchmark: fetching every secret of a vault with 20 ms of latency per request, side by side:
//  - built-in (AzureKeyVault@2's strategy): list every page first, then get values in sequential
//    batches of 20, no retry of 429;
//  - this task's fetcher (createVaultReader + fetchSelectedSecrets) at several concurrencies:
//    values fetched while the next pages load, 429 retried as Retry-After asks;
// for 500 secrets at each concurrency, and for 50, 500 (and 5000) secrets at the task's default.
// Then once under a throttling limit of the emulator (a sliding window, as Key Vault's own),
// counting the 429 answers and how many the client handled. The paging limit is the pages
// (25 secrets each) one after the other: pages x latency.
// The emulators run in a process of their own (test/emulators/keyVaultEmulatorHost.ts), so the
// client has a core to itself.
import { fork } from 'node:child_process';
import https from 'node:https';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { alternate, field } from './bench-lib.mjs';
import { root } from './lib.mjs';

const require = createRequire(import.meta.url);
const THROTTLE = { limit: 250, windowMs: 1000 };
const PAGE = 25;
const out = (file) => require(path.join(root, 'out', file));
const { ClientSecretCredential } = require('@azure/identity');
const { SecretClient } = require('@azure/keyvault-secrets');
const { createVaultReader } = out('tasks/common/keyvault/vaultReader.js');
const { fetchSelectedSecrets } = out('tasks/common/keyvault/fetchSecrets.js');
const { parseSecretSelection } = out('tasks/common/keyvault/secretSelection.js');

function startHost(secrets, latencyMs) {
  const host = fork(path.join(root, 'out', 'test', 'emulators', 'keyVaultEmulatorHost.js'), [
    JSON.stringify({ secrets, latencyMs }),
  ]);
  const waiting = [];
  let ready;
  const started = new Promise((resolve, reject) => {
    ready = resolve;
    host.once('exit', (code) => reject(new Error(`emulator host exited with ${code}`)));
  });
  host.on('message', (m) => (m.type === 'ready' ? ready(m) : waiting.shift()?.(m)));
  return {
    started,
    send: (message) => host.send(message),
    stats: () =>
      new Promise((resolve) => {
        waiting.push((m) => resolve(m.stats));
        host.send({ type: 'stats' });
      }),
    stop: () => new Promise((resolve) => host.once('exit', resolve) && host.send({ type: 'stop' })),
  };
}

function clients(config, SECRETS) {
  // The emulators' test CA, trusted by one keep-alive agent for every request (Node's default
  // agent with NODE_EXTRA_CA_CERTS would behave the same).
  const agent = new https.Agent({ keepAlive: true, ca: config.caPem });
  const network = {
    position: 'perCall',
    policy: {
      name: 'benchTrustTestCa',
      sendRequest: (request, next) => ((request.agent = agent), next(request)),
    },
  };
  const credential = new ClientSecretCredential(config.tenantId, config.clientId, config.clientSecret, {
    authorityHost: config.authority,
    disableInstanceDiscovery: true,
    additionalPolicies: [network],
  });
  const sdkClient = (retryOptions = {}) =>
    new SecretClient(config.vaultUrl, credential, {
      additionalPolicies: [network],
      retryOptions,
      disableChallengeResourceVerification: true,
    });
  const listAll = async (client) => {
    const names = [];
    for await (const page of client.listPropertiesOfSecrets().byPage({ maxPageSize: 25 })) {
      for (const p of page) if (p.enabled !== false) names.push(p.name);
    }
    return names;
  };
  return {
    credential,
    async builtin() {
      const client = sdkClient({ maxRetries: 0 }); // AzureKeyVault@2 never retries a 429
      let names;
      try {
        names = await listAll(client);
      } catch {
        return { fetched: 0, failed: SECRETS, handled: 0, note: 'listing failed on a 429' };
      }
      let fetched = 0;
      for (let i = 0; i < names.length; i += 20) {
        const batch = await Promise.allSettled(names.slice(i, i + 20).map((n) => client.getSecret(n)));
        fetched += batch.filter((r) => r.status === 'fulfilled').length;
      }
      return { fetched, failed: names.length - fetched, handled: 0 };
    },
    async ours(concurrency) {
      const reader = createVaultReader({
        vault: { url: config.vaultUrl, label: 'bench', verifyChallengeResource: false },
        credential,
        additionalPolicies: [network],
      });
      const report = await fetchSelectedSecrets({
        selection: parseSecretSelection(['*']),
        reader,
        concurrency,
        secrets: { register: () => undefined },
      });
      return {
        fetched: report.resolved.length,
        failed: SECRETS - report.resolved.length,
        handled: reader.stats.throttled,
      };
    },
  };
}

/** One run of a strategy, with the emulator's counts (429 answered, requests, gets in flight). */
async function once(host, run) {
  host.send({ type: 'reset' });
  const started = performance.now();
  const result = await run();
  const seconds = (performance.now() - started) / 1000;
  const stats = await host.stats();
  return { seconds, ...result, answered429: stats.throttled, requests: stats.requests };
}

/** A vault of `secrets` in an emulator process of its own, with its clients, warmed up. */
async function withVault(secrets, latencyMs, fn) {
  const host = startHost(secrets, latencyMs);
  const config = await host.started;
  try {
    const c = clients(config, secrets);
    await c.credential.getToken('https://vault.azure.net/.default');
    await c.ours(16); // warm-up: connections, JIT
    return await fn(host, c);
  } finally {
    await host.stop();
  }
}

export function defaultConcurrency() {
  const def = JSON.parse(
    fs.readFileSync(path.join(root, 'tasks', 'InjectKeyVaultSecretsV1', 'task.json'), 'utf8'),
  );
  return Number(def.inputs.find((i) => i.name === 'concurrency').defaultValue);
}

const summary = (runs) => ({
  seconds: field(runs, 'seconds'),
  fetched: Math.min(...runs.map((r) => r.fetched)),
  unhandled429: Math.max(...runs.map((r) => r.answered429 - r.handled)),
  requests: field(runs, 'requests'),
});

export async function benchKeyVault({ quick, runs, latencyMs = 20 }) {
  const concurrencies = quick ? [4, 16, 32, 64] : [1, 4, 8, 16, 32, 64];
  const sizes = quick ? [50, 500] : [50, 500, 5000];
  const def = defaultConcurrency();
  if (!concurrencies.includes(def)) concurrencies.push(def);
  concurrencies.sort((x, y) => x - y);
  const result = { latencyMs, defaultConcurrency: def, concurrency: [], secrets: [] };
  console.log(
    `  key vault: 500 secrets at concurrency ${concurrencies.join(', ')} and the built-in strategy`,
  );
  await withVault(500, latencyMs, async (host, c) => {
    const variants = { builtin: () => once(host, () => c.builtin()) };
    for (const n of concurrencies) variants[n] = () => once(host, () => c.ours(n));
    const s = await alternate(runs, variants);
    result.builtin = summary(s.builtin);
    for (const n of concurrencies) result.concurrency.push({ concurrency: n, ...summary(s[n]) });
    host.send({ type: 'throttle', window: THROTTLE });
    const t = await alternate(1, {
      builtin: () => once(host, () => c.builtin()),
      ours: () => once(host, () => c.ours(def)),
    });
    result.throttled = { window: THROTTLE, builtin: t.builtin[0], ours: t.ours[0] };
  });
  const at500 = result.concurrency.find((r) => r.concurrency === def);
  for (const secrets of sizes) {
    if (secrets === 500 && at500) {
      const builtin = result.builtin;
      result.secrets.push({ secrets, pagingLimit: (20 * latencyMs) / 1000, builtin, ours: at500 });
      continue;
    }
    console.log(`  key vault: ${secrets} secrets`);
    await withVault(secrets, latencyMs, async (host, c) => {
      const s = await alternate(secrets > 1000 ? 1 : runs, {
        builtin: () => once(host, () => c.builtin()),
        ours: () => once(host, () => c.ours(def)),
      });
      result.secrets.push({
        secrets,
        pagingLimit: (Math.ceil(secrets / PAGE) * latencyMs) / 1000,
        builtin: summary(s.builtin),
        ours: summary(s.ours),
      });
    });
  }
  return result;
}
