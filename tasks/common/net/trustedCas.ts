// The certificate authorities a task trusts, in one place for every client (registry transport,
// Azure SDK and DevOps agents, Helm's --ca-file bundle).
import fs from 'node:fs';
import { nodeTls } from './tlsModules';

/** The PEM file NODE_EXTRA_CA_CERTS names, or undefined when unset or unreadable (Node ignores it then too). */
function nodeExtraCaPem(): string | undefined {
  const file = process.env['NODE_EXTRA_CA_CERTS'];
  if (!file) return undefined;
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Node's bundled roots, NODE_EXTRA_CA_CERTS and the agent's CA (Agent.CAInfo, PEM). An explicit
 * `ca` option replaces Node's default store including NODE_EXTRA_CA_CERTS, so all three are listed.
 */
export function trustedCaPems(agentCaPem: string | undefined): string[] {
  const extra = nodeExtraCaPem();
  return [...nodeTls().rootCertificates, ...(extra ? [extra] : []), ...(agentCaPem ? [agentCaPem] : [])];
}

/** Whether anything beyond Node's bundled roots is trusted (an agent CA or NODE_EXTRA_CA_CERTS). */
export function hasExtraCas(agentCaPem: string | undefined): boolean {
  return agentCaPem !== undefined || nodeExtraCaPem() !== undefined;
}
