import {
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  type TokenCredential,
} from '@azure/identity';
import { UserError } from '../errors';
import type { Logger, SecretRegistry } from '../log';
import type { NetworkOptions } from '../net';
import { type AzureSdkNetworkOptions, createAzureSdkNetwork } from './azureSdkNetwork';
import { type AzureCloud, resolveAzureCloud } from './cloud';
import {
  type AzureRmConnection,
  connectionData,
  connectionParameter,
  describeConnection,
  requireParameter,
} from './connection';
import { ConnectionCredential } from './connectionCredential';
import {
  type OidcRetryOptions,
  type OidcTokenRequest,
  type PipelineOidcContext,
  PipelineOidcAssertion,
} from './pipelineOidcAssertion';

export interface AzureCredentialContext {
  readonly network: NetworkOptions;
  readonly secrets: SecretRegistry;
  readonly logger: Logger;
  /** The job's OIDC context; needed by WorkloadIdentityFederation connections only. */
  readonly oidc?: PipelineOidcContext;
  /** How the OIDC token is asked of Azure DevOps (the agent layer's call); with `oidc`. */
  readonly oidcTokens?: OidcTokenRequest;
  readonly oidcRetry?: OidcRetryOptions;
}

export interface AzureConnectionCredential {
  /** Registers the tokens it gets as secrets; fails with UserErrors naming the connection. */
  readonly credential: ConnectionCredential;
  readonly cloud: AzureCloud;
  /** The connection's tenant (undefined for a managed identity, whose tenant the VM decides). */
  readonly tenantId: string | undefined;
  readonly clientId: string | undefined;
  /** e.g. `service principal 1234 with a client certificate`. */
  readonly method: string;
  readonly connectionLabel: string;
  /** Proxy and CA policies to give Azure SDK clients (SecretClient...) that use this credential. */
  readonly clientOptions: AzureSdkNetworkOptions;
}

export const SUPPORTED_SCHEMES = [
  'ServicePrincipal',
  'ManagedServiceIdentity',
  'WorkloadIdentityFederation',
] as const;

interface Built {
  readonly inner: TokenCredential;
  readonly tenantId: string | undefined;
  readonly clientId: string | undefined;
  readonly method: string;
  readonly oidc?: PipelineOidcAssertion;
}

function hasPemBlock(pem: string, kind: RegExp): boolean {
  return new RegExp(`-----BEGIN ${kind.source}-----`).test(pem);
}

/**
 * A TokenCredential for an Azure Resource Manager service connection, in the connection's own
 * cloud. Secret parameters must already be registered (the agent adapter does it on read).
 */
export function createAzureCredential(
  conn: AzureRmConnection,
  ctx: AzureCredentialContext,
): AzureConnectionCredential {
  const label = describeConnection(conn);
  const cloud = resolveAzureCloud(conn);
  const network = createAzureSdkNetwork(ctx.network);
  const clientOptions = network.clientOptions;
  const options = {
    ...clientOptions,
    authorityHost: cloud.adfs ? cloud.authorityHost.replace(/\/+$/, '') : cloud.authorityHost,
    // Instance discovery asks login.microsoftonline.com about the authority. MSAL has metadata
    // for the public and sovereign Azure clouds; for any other authority (Azure Stack, ADFS, a
    // test emulator) discovery would fail, so it is turned off and the authority used as given.
    disableInstanceDiscovery: !cloud.knownAuthority,
  };
  const tenantOf = () => (cloud.adfs ? 'adfs' : requireParameter(conn, 'tenantid', 'the Entra ID tenant'));

  const build = (): Built => {
    const scheme = conn.scheme.trim().toLowerCase();
    if (scheme === 'serviceprincipal') {
      const tenantId = tenantOf();
      const clientId = requireParameter(conn, 'serviceprincipalid', 'the application (client) id');
      const type = (connectionParameter(conn, 'authenticationType') ?? 'spnKey').toLowerCase();
      if (type === 'spnkey') {
        const secret = requireParameter(conn, 'serviceprincipalkey', 'the client secret');
        const inner = new ClientSecretCredential(tenantId, clientId, secret, options);
        return { inner, tenantId, clientId, method: `service principal ${clientId} with a client secret` };
      }
      if (type === 'spncertificate') {
        const pem = requireParameter(
          conn,
          'servicePrincipalCertificate',
          'the PEM certificate with its private key',
        );
        if (!hasPemBlock(pem, /CERTIFICATE/) || !hasPemBlock(pem, /(RSA |EC |ENCRYPTED )?PRIVATE KEY/)) {
          throw new UserError(
            `${label}: the service principal certificate must be one PEM holding both the private key and the certificate.`,
          );
        }
        const inner = new ClientCertificateCredential(tenantId, clientId, { certificate: pem }, options);
        return {
          inner,
          tenantId,
          clientId,
          method: `service principal ${clientId} with a client certificate`,
        };
      }
      throw new UserError(
        `${label}: authenticationType '${connectionParameter(conn, 'authenticationType')}' is not supported; ` +
          'expected spnKey (client secret) or spnCertificate (certificate).',
      );
    }
    if (scheme === 'managedserviceidentity') {
      const clientId = connectionData(conn, 'msiclientId');
      const inner = clientId
        ? new ManagedIdentityCredential({ ...options, clientId })
        : new ManagedIdentityCredential(options);
      const method = clientId
        ? `the agent's managed identity ${clientId}`
        : "the agent's system-assigned managed identity";
      return { inner, tenantId: connectionParameter(conn, 'tenantid'), clientId, method };
    }
    if (scheme === 'workloadidentityfederation') {
      const tenantId = tenantOf();
      const clientId = requireParameter(conn, 'serviceprincipalid', 'the application (client) id');
      if (!ctx.oidc || !ctx.oidcTokens) {
        throw new UserError(
          `${label} uses workload identity federation, but the job's OIDC context is missing ` +
            '(System.CollectionUri, System.TeamProjectId, System.PlanId, System.JobId or the SystemVssConnection access token).',
        );
      }
      const oidc = new PipelineOidcAssertion(ctx.oidc, conn.id, label, {
        network: ctx.network,
        requestToken: ctx.oidcTokens,
        secrets: ctx.secrets,
        logger: ctx.logger,
        retry: ctx.oidcRetry,
      });
      const inner = new ClientAssertionCredential(tenantId, clientId, oidc.getAssertion, options);
      return {
        inner,
        tenantId,
        clientId,
        method: `service principal ${clientId} with workload identity federation`,
        oidc,
      };
    }
    if (!scheme)
      throw new UserError(`${label} has no authorization scheme; recreate the service connection.`);
    throw new UserError(
      `${label} uses authorization scheme '${conn.scheme}', which is not supported; supported schemes: ${SUPPORTED_SCHEMES.join(', ')}.`,
    );
  };

  const built = build();
  ctx.logger.debug(`${label}: ${built.method}, cloud ${cloud.name}, authority ${cloud.authorityHost}.`);
  const credential = new ConnectionCredential(built.inner, {
    connectionLabel: label,
    method: built.method,
    authorityHost: cloud.authorityHost,
    tenantId: built.tenantId,
    secrets: ctx.secrets,
    explain: built.oidc ? () => built.oidc?.lastFailure : undefined,
    network,
  });
  return {
    credential,
    cloud,
    tenantId: built.tenantId,
    clientId: built.clientId,
    method: built.method,
    connectionLabel: label,
    clientOptions,
  };
}
