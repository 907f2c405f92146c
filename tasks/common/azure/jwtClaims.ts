/**
 * The claims of a compact JWT, decoded WITHOUT checking its signature: only for reading the
 * expiry of a token we were just handed, or reporting its audience. Never for trusting it.
 */
export function unverifiedJwtClaims(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as unknown;
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The token's `exp` in epoch milliseconds, or undefined when it has none. */
export function jwtExpiry(token: string): number | undefined {
  const exp = unverifiedJwtClaims(token)?.['exp'];
  return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
}
