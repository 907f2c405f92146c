// Error answers in the shape Microsoft Entra ID's token endpoint uses: an OAuth error, an
// error_description starting with the AADSTS code and ending with trace and correlation ids,
// error_codes, timestamp, trace_id, correlation_id and error_uri.
import crypto from 'node:crypto';

export interface EntraError {
  readonly status: number;
  readonly error: string;
  readonly code: number;
  readonly message: string;
}

export interface EntraErrorBody {
  readonly error: string;
  readonly error_description: string;
  readonly error_codes: number[];
  readonly timestamp: string;
  readonly trace_id: string;
  readonly correlation_id: string;
  readonly error_uri: string;
}

/** `2016-01-09 02:02:12Z`, Entra's timestamp format. */
const entraTimestamp = (d = new Date()) => `${d.toISOString().slice(0, 19).replace('T', ' ')}Z`;

export function errorBody(err: EntraError, baseUrl: string, correlationId?: string): EntraErrorBody {
  const traceId = crypto.randomUUID();
  const correlation = correlationId ?? crypto.randomUUID();
  const timestamp = entraTimestamp();
  return {
    error: err.error,
    error_description: `AADSTS${err.code}: ${err.message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlation}\r\nTimestamp: ${timestamp}`,
    error_codes: [err.code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlation,
    error_uri: `${baseUrl}/error?code=${err.code}`,
  };
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/** The errors the emulator answers, with Entra's codes and wording. */
export const entraErrors = {
  tenantNotFound: (tenant: string): EntraError => ({
    status: 400,
    error: 'invalid_tenant',
    code: 90002,
    message: `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  }),
  unsupportedGrant: (grant: string): EntraError => ({
    status: 400,
    error: 'unsupported_grant_type',
    code: 70003,
    message: `The app requested an unsupported grant type '${grant}'.`,
  }),
  appNotFound: (clientId: string, tenant: string): EntraError => ({
    status: 400,
    error: 'unauthorized_client',
    code: 700016,
    message: `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  }),
  invalidScope: (scope: string): EntraError => ({
    status: 400,
    error: 'invalid_scope',
    code: 1002012,
    message: `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
  }),
  missingCredential: (): EntraError => ({
    status: 401,
    error: 'invalid_client',
    code: 7000218,
    message: `The request body must contain the following parameter: 'client_assertion' or 'client_secret'.`,
  }),
  invalidSecret: (clientId: string): EntraError => ({
    status: 401,
    error: 'invalid_client',
    code: 7000215,
    message: `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
  }),
  malformedAssertion: (): EntraError => ({
    status: 401,
    error: 'invalid_client',
    code: 50027,
    message: 'JWT token is invalid or malformed.',
  }),
  certificateNotRegistered: (thumbprint: string, clientId: string): EntraError => ({
    status: 401,
    error: 'invalid_client',
    code: 700027,
    message: `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${thumbprint}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${clientId}'.]`,
  }),
  invalidSignature: (): EntraError => ({
    status: 401,
    error: 'invalid_client',
    code: 700027,
    message: 'Client assertion failed signature validation.',
  }),
  assertionAudience: (audience: string, expected: string): EntraError => ({
    status: 401,
    error: 'invalid_client',
    code: 50013,
    message: `Assertion audience claim does not match the required value. The audience in the assertion was '${audience}' and the expected audience is '${expected}'.`,
  }),
  assertionExpired: (nbf: number, exp: number, now: number): EntraError => ({
    status: 400,
    error: 'invalid_client',
    code: 700024,
    message: `Client assertion is not within its valid time range. Current time: ${iso(now)}, assertion valid from ${iso(nbf)}, expiry time of assertion ${iso(exp)}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .`,
  }),
  federatedIssuer: (issuer: string): EntraError => ({
    status: 400,
    error: 'invalid_client',
    code: 700211,
    message: `No matching federated identity record found for presented assertion issuer '${issuer}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`,
  }),
  federatedAudience: (audience: string): EntraError => ({
    status: 400,
    error: 'invalid_client',
    code: 700212,
    message: `No matching federated identity record found for presented assertion audience '${audience}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`,
  }),
  federatedSubject: (subject: string): EntraError => ({
    status: 400,
    error: 'invalid_client',
    code: 700213,
    message: `No matching federated identity record found for presented assertion subject '${subject}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`,
  }),
  federatedSignature: (): EntraError => ({
    status: 401,
    error: 'invalid_client',
    code: 50013,
    message: 'Assertion failed signature validation. [Reason - The key was not found.]',
  }),
};
