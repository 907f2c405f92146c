// One Node deprecation warning is not ours to fix. azure-devops-node-api (the Azure DevOps client
// the tasks use for the pipeline's OIDC token) sends its requests through typed-rest-client, which
// calls url.parse(); Node 24, the agent's default runtime, warns about that once per process
// (DEP0169) on stderr, where the agent shows it as an error-looking line in every step that signs
// in through workload identity federation. The URLs it parses are the agent's own collection URL,
// not data, so url.parse's leniency changes nothing here. Behind a proxy, typed-rest-client's
// tunnel also sets the TLS server name to the host as given, which Node flags (DEP0123) when that
// host is an IP address (an Azure DevOps Server addressed by IP); the name is ignored, as the
// warning says. Exactly these two are dropped; every other warning still shows.
const QUIET = new Set(['DEP0169', 'DEP0123']);

function codeOf(args: readonly unknown[]): unknown {
  const [typeOrOptions, code] = args;
  if (typeof typeOrOptions === 'object' && typeOrOptions !== null) {
    return (typeOrOptions as { code?: unknown }).code;
  }
  return code;
}

let installed = false;

/** Drops the deprecation warnings named above; call once, before any client is used. */
export function quietKnownDeprecations(): void {
  if (installed) return;
  installed = true;
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = (warning: string | Error, ...args: unknown[]) => {
    const code = warning instanceof Error ? (warning as { code?: unknown }).code : codeOf(args);
    if (typeof code === 'string' && QUIET.has(code)) return;
    emit(warning, ...args);
  };
}
