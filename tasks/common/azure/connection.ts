import { UserError } from '../errors';

/**
 * An Azure Resource Manager service connection (`connectedService:AzureRM`) as the agent hands it
 * to a task, read by the agent adapter and described here without any task-lib type.
 * Parameter and data keys are looked up case-insensitively (the agent upper-cases them in
 * environment variable names).
 */
export interface AzureRmConnection {
  /** The service connection id (what the task input holds). */
  readonly id: string;
  /** A human name when one is known (the agent does not pass the connection's own name). */
  readonly name?: string;
  /** The endpoint URL: the Resource Manager URL of the connection's cloud. */
  readonly url?: string;
  readonly scheme: string;
  readonly parameters: Readonly<Record<string, string | undefined>>;
  readonly data: Readonly<Record<string, string | undefined>>;
}

/** Authorization parameters that are identifiers, not secrets. Every other parameter is a secret. */
export const NON_SECRET_PARAMETERS: ReadonlySet<string> = new Set([
  'serviceprincipalid',
  'tenantid',
  'authenticationtype',
  'scope',
  'workloadidentityfederationissuer',
  'workloadidentityfederationsubject',
  'workloadidentityfederationissuertype',
  'serviceprincipalcertificatefile',
  'accesstokentype',
  'role',
  // ACR-type Docker registry connections read through the same reader: the host is no secret.
  'loginserver',
  'registry',
  'username',
]);

export function isSecretParameter(key: string): boolean {
  return !NON_SECRET_PARAMETERS.has(key.toLowerCase());
}

function lookup(record: Readonly<Record<string, string | undefined>>, key: string): string | undefined {
  const wanted = key.toLowerCase();
  for (const [k, v] of Object.entries(record)) {
    if (k.toLowerCase() === wanted) {
      const trimmed = v?.trim();
      return trimmed ? trimmed : undefined;
    }
  }
  return undefined;
}

export function connectionParameter(conn: AzureRmConnection, key: string): string | undefined {
  return lookup(conn.parameters, key);
}

export function connectionData(conn: AzureRmConnection, key: string): string | undefined {
  return lookup(conn.data, key);
}

/** `Azure service connection 'name' (id)`, or with the id alone, plus the subscription when known. */
export function describeConnection(conn: AzureRmConnection): string {
  const who = conn.name ? `'${conn.name}' (${conn.id})` : `'${conn.id}'`;
  const subscription = connectionData(conn, 'subscriptionName') ?? connectionData(conn, 'subscriptionId');
  return `Azure service connection ${who}${subscription ? ` for subscription '${subscription}'` : ''}`;
}

/** A required authorization parameter, or a UserError naming the connection and what is missing. */
export function requireParameter(conn: AzureRmConnection, key: string, what: string): string {
  const value = connectionParameter(conn, key);
  if (value === undefined) {
    throw new UserError(
      `${describeConnection(conn)} (scheme ${conn.scheme}) has no '${key}' authorization parameter (${what}). ` +
        'Edit the service connection in Project settings > Service connections and fill it in, or recreate it.',
    );
  }
  return value;
}
