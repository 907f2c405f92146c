// Where a registry name is reached, and over which scheme (Docker's insecure-registry rule).
import net from 'node:net';
import { DOCKER_HUB } from './reference';

/** docker.io is an alias: the API lives at registry-1.docker.io. */
const API_HOST: Record<string, string> = { [DOCKER_HUB]: 'registry-1.docker.io' };

function hostname(registry: string): string {
  const bracketed = /^\[([^\]]+)\]/.exec(registry);
  if (bracketed) return bracketed[1] ?? '';
  const colon = registry.lastIndexOf(':');
  return colon > 0 && registry.indexOf(':') === colon ? registry.slice(0, colon) : registry;
}

/** Docker's default insecure set: `localhost`, 127.0.0.0/8 and ::1. */
export function isLoopbackHost(registry: string): boolean {
  const host = hostname(registry).toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  return host === '::1' || host === '0:0:0:0:0:0:0:1';
}

function ipv4ToNumber(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

/** An insecure-registries entry: `host`, `host:port`, an IPv4 CIDR, or those with a scheme. */
function matches(entry: string, registry: string): boolean {
  const cleaned = entry
    .trim()
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/+$/, '')
    .toLowerCase();
  if (cleaned === '') return false;
  const reg = registry.toLowerCase();
  if (cleaned === reg || cleaned === hostname(reg)) return true;
  const cidr = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cleaned);
  const host = hostname(reg);
  if (cidr && net.isIPv4(host)) {
    const bits = Number(cidr[2]);
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    return (ipv4ToNumber(host) & mask) >>> 0 === (ipv4ToNumber(cidr[1] ?? '') & mask) >>> 0;
  }
  return false;
}

/** True for errors a TLS client sees when the server speaks plain HTTP. */
export function isPlainHttpAnswer(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : '';
  return (
    code === 'EPROTO' ||
    code === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
    code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' ||
    /wrong version number|packet length too long|unknown protocol/i.test(message)
  );
}

/** Docker's rule: listed registries (host, host:port, IPv4 CIDR) and loopback hosts are insecure. */
export function isInsecureRegistry(registry: string, insecureRegistries: readonly string[]): boolean {
  return isLoopbackHost(registry) || insecureRegistries.some((entry) => matches(entry, registry));
}

export class Endpoints {
  private readonly plainHttp = new Set<string>();

  constructor(private readonly insecureRegistries: readonly string[] = []) {}

  /** Docker's rule: listed registries and loopback hosts may use plain HTTP or unverified TLS. */
  isInsecure(registry: string): boolean {
    return isInsecureRegistry(registry, this.insecureRegistries);
  }

  /** `https://host[:port]`, or `http://` once an insecure registry turned out to speak plain HTTP. */
  origin(registry: string): string {
    const host = API_HOST[registry] ?? registry;
    return `${this.plainHttp.has(registry) ? 'http' : 'https'}://${host}`;
  }

  /**
   * Whether an HTTPS attempt that failed this way should be repeated over plain HTTP (insecure
   * registries only). A request that raced the first probe may fail otherwise (a reset instead of
   * a TLS error): once the registry is known to speak plain HTTP, any HTTPS failure is repeated.
   */
  downgrade(registry: string, err: unknown): boolean {
    if (!this.isInsecure(registry)) return false;
    if (this.plainHttp.has(registry)) return true;
    if (!isPlainHttpAnswer(err)) return false;
    this.plainHttp.add(registry);
    return true;
  }
}
