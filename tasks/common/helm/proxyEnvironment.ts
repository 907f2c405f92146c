import type { ProxySettings } from '../net';

/**
 * The agent's proxy as the environment Helm (Go's net/http) reads: HTTPS_PROXY and HTTP_PROXY with
 * the credentials in the URL (environment only, never argv or the log). Go never proxies loopback
 * hosts; the agent's bypass list is made of regular expressions, which NO_PROXY cannot express, so
 * hosts in it are named in NO_PROXY only when the expression is a plain host name.
 */
export function helmProxyEnvironment(proxy: ProxySettings | undefined): Record<string, string> {
  if (!proxy) return {};
  const url = new URL(proxy.url);
  if (proxy.username) url.username = encodeURIComponent(proxy.username);
  if (proxy.password) url.password = encodeURIComponent(proxy.password);
  const value = url.href.replace(/\/$/, '');
  const plainHosts = proxy.bypass
    .map((pattern) => pattern.replace(/^\^|\$$/g, '').replace(/\\\./g, '.'))
    .filter((host) => /^[a-z0-9.-]+$/i.test(host));
  return {
    HTTPS_PROXY: value,
    HTTP_PROXY: value,
    NO_PROXY: ['localhost', '127.0.0.1', '::1', ...plainHosts].join(','),
  };
}
