// The Entra ID and Key Vault emulators in a process of their own, for the benchmark
// (scripts/bench-keyvault.mjs): the client under measurement then has a core to itself. Started
// with child_process.fork and a JSON config as argv[2]; answers over IPC:
//   -> { type: 'ready', vaultUrl, authority, tenantId, clientId, clientSecret, caPem }
//   <- { type: 'stats' }     -> { type: 'stats', stats } (events as a count)
//   <- { type: 'reset' }     (stats)
//   <- { type: 'throttle', window?: { limit, windowMs } }   (none: no throttling)
//   <- { type: 'stop' }      (closes the servers and exits)
import crypto from 'node:crypto';
import fs from 'node:fs';
import { startEntraIdEmulator } from './entraIdEmulator';
import { startKeyVaultEmulator } from './keyVaultEmulator';
import { throttleWindow } from './keyVaultThrottle';

interface HostConfig {
  readonly secrets: number;
  readonly latencyMs: number;
}

type HostMessage =
  | { type: 'stats' }
  | { type: 'reset' }
  | { type: 'throttle'; window?: { limit: number; windowMs: number } }
  | { type: 'stop' };

const TENANT = '0b0b0b0b-1111-4222-8333-944455556666';
const CLIENT_ID = 'c1c1c1c1-0000-4000-8000-00000000be4c';

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as HostConfig;
  const send = (message: unknown) => process.send?.(message);
  const clientSecret = `bench~${crypto.randomBytes(18).toString('base64url')}`;
  const entra = await startEntraIdEmulator({
    apps: [{ tenantId: TENANT, clientId: CLIENT_ID, secrets: [clientSecret] }],
  });
  const vault = await startKeyVaultEmulator({
    tenantId: TENANT,
    authority: entra.url,
    verifyToken: (token) => entra.verifyAccessToken(token),
    latencyMs: config.latencyMs,
    secrets: Array.from({ length: config.secrets }, (_, i) => ({
      name: `bench-${String(i).padStart(4, '0')}`,
      value: `value ${i} ${crypto.randomBytes(12).toString('base64')}`,
    })),
  });
  process.on('message', (message: HostMessage) => {
    if (message.type === 'stats') {
      const { events, ...counts } = vault.stats;
      send({ type: 'stats', stats: { ...counts, events: events.length } });
    } else if (message.type === 'reset') {
      vault.resetStats();
    } else if (message.type === 'throttle') {
      const w = message.window;
      vault.configure({ throttle: w ? throttleWindow(w.limit, w.windowMs) : undefined });
    } else if (message.type === 'stop') {
      void Promise.all([vault.stop(), entra.stop()]).then(() => process.exit(0));
    }
  });
  send({
    type: 'ready',
    vaultUrl: vault.url,
    authority: entra.url,
    tenantId: TENANT,
    clientId: CLIENT_ID,
    clientSecret,
    caPem: fs.readFileSync(entra.caFile, 'utf8'),
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
