/**
 * How library code reports progress. The agent adapter implements it with logging commands;
 * tests implement it with arrays. Library code never writes to stdout itself.
 */
export interface Logger {
  info(message: string): void;
  debug(message: string): void;
  warn(message: string): void;
  /** Runs `body` inside a collapsible log group. */
  group<T>(title: string, body: () => Promise<T>): Promise<T>;
}

/**
 * Where secrets are registered the moment the library holds them, so the agent masks them.
 * Implementations must register every line of a multi-line value too.
 */
export interface SecretRegistry {
  register(value: string): void;
}

export const silentLogger: Logger = {
  info: () => undefined,
  debug: () => undefined,
  warn: () => undefined,
  group: (_title, body) => body(),
};
