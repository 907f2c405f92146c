// Benchmark (not a test): fetching every secret of a 500-secret vault with 20 ms of latency per
// request, side by side in one run:
//  - sequential: list every page (25 per page), then get each value, one after the other;
//  - built-in (AzureKeyVault@2's strategy): list every page first, then get values in sequential
//    batches of 20, no retry of 429;
//  - this task's fetcher (createVaultReader + fetchSelectedSecrets) at concurrency 1, 4, 16, 32:
//    values fetched while the next pages load, 429 retried as Retry-After asks.
// Then the same under a throttling limit of the emulator (a sliding window, as Key Vault's own),
// counting the 429 answers and how many the client handled.
// The emulators run in a process of their own (test/emulators/keyVaultEmulatorHost.ts), so the
// client has a core to itself. Needs `node scripts/build.mjs` first (it runs the compiled out/).
//   node scripts/bench-keyvault.mjs [--secrets 500] [--latency 20] [--repeat 3]
import { fork } from 'node:child_process';
import https from 'node:https';
import { createRequire } from 'node:module';
import path from 'node:path';
import { root } from './lib.mjs';

const require = createRequire(import.meta.url);
const out = (file) => require(path.join(root, 'out', file));
const { ClientSecretCredential } = require('@azure/identity');
const { SecretClient } = require('@azure/keyvault-secrets');
const { createVaultReader } = out('tasks/common/keyvault/vaultReader.js');
const { fetchSelectedSecrets } = out('tasks/common/keyvault/fetchSecrets.js');
const { parseSecretSelection } = out('tasks/common/keyvault/secretSelection.js');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECRETS = arg('secrets', 500);
const LATENCY_MS = arg('latency', 20);
const REPEAT = arg('repeat', 3);
/** The throttled scenario: at most this many requests per second, as a sliding window. */
const THROTTLE = { limit: 250, windowMs: 1000 };

function startHost() {
  const host = fork(path.join(root, 'out', 'test', 'emulators', 'keyVaultEmulatorHost.js'), [
    JSON.stringify({ secrets: SECRETS, latencyMs: LATENCY_MS }),
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

function clients(config) {
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
    async sequential() {
      const client = sdkClient();
      const names = await listAll(client);
      for (const name of names) await client.getSecret(name);
      return { fetched: names.length, failed: 0, handled: 0 };
    },
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

async function measure(host, label, run, repeat) {
  const runs = [];
  for (let i = 0; i < repeat; i++) {
    host.send({ type: 'reset' });
    const started = performance.now();
    const result = await run();
    const ms = performance.now() - started;
    const stats = await host.stats();
    runs.push({
      ms,
      ...result,
      answered429: stats.throttled,
      requests: stats.requests,
      maxInFlight: stats.maxGetsInFlight,
    });
  }
  runs.sort((a, b) => a.ms - b.ms);
  const median = runs[Math.floor(runs.length / 2)];
  return { label, ...median, runs: runs.map((r) => Math.round(r.ms)) };
}

function print(title, rows, baseline) {
  console.log(`\n${title}`);
  console.log(
    'strategy                 wall (median)  vs built-in  fetched  failed  429 answered  429 handled  requests  max gets in flight  runs (ms)',
  );
  for (const r of rows) {
    const ratio = baseline ? (r.ms / baseline.ms).toFixed(2) : '-';
    console.log(
      `${r.label.padEnd(24)} ${`${Math.round(r.ms)} ms`.padStart(13)}  ${ratio.padStart(11)}  ${String(r.fetched).padStart(7)}  ${String(r.failed).padStart(6)}  ${String(r.answered429).padStart(12)}  ${String(r.handled).padStart(11)}  ${String(r.requests).padStart(8)}  ${String(r.maxInFlight).padStart(18)}  ${r.runs.join(', ')}${r.note ? `  (${r.note})` : ''}`,
    );
  }
}

async function main() {
  const host = startHost();
  const config = await host.started;
  try {
    const c = clients(config);
    await c.credential.getToken('https://vault.azure.net/.default');
    await c.ours(16); // warm-up: connections, JIT
    console.log(
      `Key Vault benchmark: ${SECRETS} secrets, ${LATENCY_MS} ms latency per request, median of ${REPEAT} runs`,
    );

    const free = [];
    free.push(await measure(host, 'sequential', () => c.sequential(), 1));
    const builtin = await measure(host, 'built-in (list, then 20s)', () => c.builtin(), REPEAT);
    free.push(builtin);
    free.push(await measure(host, 'this task, concurrency 1', () => c.ours(1), 1));
    for (const n of [4, 16, 32])
      free.push(await measure(host, `this task, concurrency ${n}`, () => c.ours(n), REPEAT));
    print('No throttling:', free, builtin);

    host.send({ type: 'throttle', window: THROTTLE });
    const throttled = [await measure(host, 'built-in (list, then 20s)', () => c.builtin(), 1)];
    for (const n of [4, 16, 32])
      throttled.push(await measure(host, `this task, concurrency ${n}`, () => c.ours(n), 1));
    print(
      `Throttled at ${THROTTLE.limit} requests per ${THROTTLE.windowMs} ms (429 with Retry-After):`,
      throttled,
      throttled[0],
    );

    const ours16 = free.find((r) => r.label.endsWith('concurrency 16'));
    const unhandled = throttled.slice(1).filter((r) => r.failed > 0 || r.handled < r.answered429);
    console.log(
      `\nDefault concurrency (16) vs built-in: ${(ours16.ms / builtin.ms).toFixed(2)}x wall time (target <= 0.75). ` +
        `Throttled runs with a 429 left unhandled: ${unhandled.length}.`,
    );
  } finally {
    await host.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
