// The registry transport's proxy settings: the shared tunnel agent, plus the agent's bypass list.
import type { TunnelProxy } from './proxyTunnelAgent';

export { ProxyTunnelAgent, proxyAuthorization } from './proxyTunnelAgent';

export interface ProxySettings extends TunnelProxy {
  /** Request URLs (or hosts) matching one of these go direct. */
  readonly bypass?: readonly RegExp[];
}

export function proxyBypassed(proxy: ProxySettings, url: URL): boolean {
  return (proxy.bypass ?? []).some((re) => re.test(url.href) || re.test(url.host) || re.test(url.hostname));
}
