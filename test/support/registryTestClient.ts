// Shared pieces of the registry library's integration tests (test/common/registry/ and test/common/copy/).
import type { Logger, SecretRegistry } from '../../tasks/common/log';
import type { RegistryCredential } from '../../tasks/common/registry/credential';
import { RegistryClient } from '../../tasks/common/registry/client';
import type { RegistryFixture, RegistryRequest } from '../emulators/registry';

export interface RecordingLogger extends Logger {
  readonly lines: string[];
}

export function recordingLogger(): RecordingLogger {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info: ${m}`),
    debug: (m) => lines.push(`debug: ${m}`),
    warn: (m) => lines.push(`warn: ${m}`),
    group: (_title, body) => body(),
  };
}

export interface RecordingSecrets extends SecretRegistry {
  readonly values: Set<string>;
}

export function recordingSecrets(): RecordingSecrets {
  const values = new Set<string>();
  return { values, register: (v) => values.add(v) };
}

/** A client whose credential per registry host comes from `credentials` (anonymous otherwise). */
export function testClient(
  credentials: Record<string, RegistryCredential> = {},
  extra: { logger?: Logger; secrets?: SecretRegistry; maxRetries?: number; uploadChunkBytes?: number } = {},
): RegistryClient {
  return new RegistryClient({
    credentials: (host) => Promise.resolve(credentials[host] ?? { kind: 'anonymous' }),
    logger: extra.logger ?? recordingLogger(),
    secrets: extra.secrets ?? recordingSecrets(),
    retry: { maxRetries: extra.maxRetries ?? 3, baseDelayMs: 20, maxDelayMs: 2000 },
    ...(extra.uploadChunkBytes !== undefined ? { uploadChunkBytes: extra.uploadChunkBytes } : {}),
  });
}

export function basic(user: { username: string; password: string }): RegistryCredential {
  return { kind: 'basic', username: user.username, password: user.password };
}

/** Requests that change something in the registry. */
export function writes(requests: readonly RegistryRequest[]): RegistryRequest[] {
  return requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
}

/** Blob upload requests (not mounts): what would move layer bytes. */
export function blobUploads(requests: readonly RegistryRequest[]): RegistryRequest[] {
  return requests.filter(
    (r) => r.path.includes('/blobs/uploads/') && !(r.method === 'POST' && r.query.includes('mount=')),
  );
}

export async function stopAll(fixtures: readonly (RegistryFixture | undefined)[]): Promise<void> {
  await Promise.all(fixtures.map((f) => (f ? f.stop() : Promise.resolve())));
}

/** Body bytes the client sent per blob upload session (PATCH and PUT on /blobs/uploads/<id>). */
export function uploadBytesBySession(requests: readonly RegistryRequest[]): Map<string, number> {
  const sessions = new Map<string, number>();
  for (const r of blobUploads(requests)) {
    if (r.method !== 'PATCH' && r.method !== 'PUT') continue;
    sessions.set(r.path, (sessions.get(r.path) ?? 0) + (r.bodyBytes ?? 0));
  }
  return sessions;
}
