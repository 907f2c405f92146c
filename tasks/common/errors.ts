/**
 * A failure the user can fix: bad input, missing permission, a registry that said no.
 * The task ends with this message alone (no stack trace). Every message says what failed,
 * where, and what to check.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
