// The Key Vault emulator's secrets: versions, attributes, and their JSON as the REST API shows them
// (SecretBundle for a get, SecretItem for a list; dates as Unix seconds).
import crypto from 'node:crypto';

export interface SeedVersion {
  readonly value: string;
  /** 32 hex characters; generated when absent. */
  readonly version?: string;
  readonly enabled?: boolean;
  readonly expires?: Date;
  readonly notBefore?: Date;
  readonly contentType?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

/** A secret: its latest version, and older ones (oldest first). */
export interface SeedSecret extends SeedVersion {
  readonly name: string;
  readonly olderVersions?: readonly SeedVersion[];
}

export interface StoredVersion {
  readonly version: string;
  readonly value: string;
  readonly enabled: boolean;
  readonly expires?: Date;
  readonly notBefore?: Date;
  readonly contentType?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly created: number;
}

interface StoredSecret {
  /** The name as created: Key Vault keeps its spelling but looks it up in any case. */
  readonly name: string;
  readonly versions: StoredVersion[];
}

const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/;
const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

export class KeyVaultStore {
  private readonly secrets = new Map<string, StoredSecret>();

  /** Adds a secret, or new versions of one; returns the latest version id. */
  set(seed: SeedSecret): string {
    if (!SECRET_NAME.test(seed.name)) throw new Error(`invalid Key Vault secret name '${seed.name}'`);
    if (Buffer.byteLength(seed.value, 'utf8') > 25 * 1024)
      throw new Error(`secret '${seed.name}' is over 25 KB`);
    const key = seed.name.toLowerCase();
    const secret = this.secrets.get(key) ?? { name: seed.name, versions: [] };
    this.secrets.set(key, secret);
    for (const v of [...(seed.olderVersions ?? []), seed]) {
      secret.versions.push({
        version: v.version ?? crypto.randomBytes(16).toString('hex'),
        value: v.value,
        enabled: v.enabled ?? true,
        expires: v.expires,
        notBefore: v.notBefore,
        contentType: v.contentType,
        tags: v.tags,
        created: Math.floor(Date.now() / 1000),
      });
    }
    return (secret.versions.at(-1) as StoredVersion).version;
  }

  /** The stored spelling and the version (latest when none is given), or undefined. */
  find(name: string, version: string | undefined): { name: string; stored: StoredVersion } | undefined {
    const secret = this.secrets.get(name.toLowerCase());
    if (!secret) return undefined;
    const stored = version
      ? secret.versions.find((v) => v.version.toLowerCase() === version.toLowerCase())
      : secret.versions.at(-1);
    return stored ? { name: secret.name, stored } : undefined;
  }

  /** Secrets sorted by name as the list operation pages them: the latest version's attributes. */
  list(): { name: string; latest: StoredVersion }[] {
    return [...this.secrets.values()]
      .map((s) => ({ name: s.name, latest: s.versions.at(-1) as StoredVersion }))
      .sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
  }
}

function attributes(v: StoredVersion) {
  return {
    enabled: v.enabled,
    ...(v.notBefore ? { nbf: seconds(v.notBefore) } : {}),
    ...(v.expires ? { exp: seconds(v.expires) } : {}),
    created: v.created,
    updated: v.created,
    recoveryLevel: 'Recoverable+Purgeable',
    recoverableDays: 90,
  };
}

const extras = (v: StoredVersion) => ({
  ...(v.tags ? { tags: v.tags } : {}),
  ...(v.contentType !== undefined ? { contentType: v.contentType } : {}),
});

/** SecretItem of the list operation (no value, no version in the id). */
export function secretItem(base: string, name: string, v: StoredVersion) {
  return { id: `${base}/secrets/${name}`, attributes: attributes(v), ...extras(v) };
}

/** SecretBundle of the get operation. */
export function secretBundle(base: string, name: string, v: StoredVersion) {
  return {
    value: v.value,
    id: `${base}/secrets/${name}/${v.version}`,
    attributes: attributes(v),
    ...extras(v),
  };
}
