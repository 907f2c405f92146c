// WWW-Authenticate challenges (RFC 7235) and registry token scopes.

export interface Challenge {
  /** Lower-case scheme: 'basic', 'bearer', ... */
  readonly scheme: string;
  /** Lower-case parameter names -> values, quotes removed. */
  readonly params: Readonly<Record<string, string>>;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;

/**
 * Parses one or more challenges: `Bearer realm="https://a/token",service="reg",scope="repository:x:pull,push"`,
 * quoted values may hold commas and escaped quotes; several challenges may share one header.
 */
export function parseChallenges(header: string | readonly string[] | undefined): Challenge[] {
  if (header === undefined) return [];
  const all: Challenge[] = [];
  for (const line of typeof header === 'string' ? [header] : header) parseLine(line, all);
  return all;
}

function parseLine(text: string, out: Challenge[]): void {
  let i = 0;
  let current: { scheme: string; params: Record<string, string> } | undefined;
  const skipSpace = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  };
  while (i < text.length) {
    skipSpace();
    if (text[i] === ',') {
      i++;
      continue;
    }
    const token = TOKEN.exec(text.slice(i))?.[0];
    if (!token) {
      i++;
      continue;
    }
    i += token.length;
    skipSpace();
    if (text[i] !== '=' || current === undefined) {
      if (text[i] === '=') {
        // a token68 without a scheme before it: not a challenge
        while (i < text.length && text[i] !== ',') i++;
        continue;
      }
      current = { scheme: token.toLowerCase(), params: {} };
      out.push(current);
      continue;
    }
    i++; // '='
    skipSpace();
    let value = '';
    if (text[i] === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i];
        i++;
      }
      i++; // closing quote
    } else {
      const start = i;
      while (i < text.length && text[i] !== ',') i++;
      value = text.slice(start, i).trim();
    }
    current.params[token.toLowerCase()] = value;
  }
}

/** A token scope `repository:<name>:<actions>`, kept as resource + action set. */
interface ParsedScope {
  readonly resource: string;
  readonly actions: string[];
}

function parseScope(scope: string): ParsedScope {
  const colon = scope.lastIndexOf(':');
  if (colon < 0) return { resource: scope, actions: [] };
  return {
    resource: scope.slice(0, colon),
    actions: scope
      .slice(colon + 1)
      .split(',')
      .filter((a) => a !== ''),
  };
}

function formatScope(scope: ParsedScope): string {
  const order = (a: string): number => (a === 'push' ? 0 : a === 'pull' ? 1 : 2);
  const actions = [...scope.actions].sort((a, b) => order(a) - order(b));
  return `${scope.resource}:${actions.join(',')}`;
}

/** `repository:<name>:<actions>` for a repository. */
export function repositoryScope(repository: string, actions: string): string {
  return `repository:${repository}:${actions}`;
}

/**
 * Unites scope lists: actions of the same resource are merged, and scopes carrying `push` come
 * first (some token services grant only the first scope's repository for pushes).
 */
export function mergeScopes(...lists: readonly (readonly string[])[]): string[] {
  const merged = new Map<string, Set<string>>();
  for (const list of lists) {
    for (const text of list) {
      if (text.trim() === '') continue;
      const scope = parseScope(text.trim());
      const actions = merged.get(scope.resource) ?? new Set<string>();
      scope.actions.forEach((a) => actions.add(a));
      merged.set(scope.resource, actions);
    }
  }
  const scopes = [...merged].map(([resource, actions]) => ({ resource, actions: [...actions] }));
  const pushing = scopes.filter((s) => s.actions.includes('push'));
  const rest = scopes.filter((s) => !s.actions.includes('push'));
  return [...pushing, ...rest].map(formatScope);
}

/** True when a token asked for `granted` scopes also covers every scope in `needed`. */
export function scopesCover(granted: readonly string[], needed: readonly string[]): boolean {
  const have = new Map<string, Set<string>>();
  for (const text of granted) {
    const scope = parseScope(text);
    const actions = have.get(scope.resource) ?? new Set<string>();
    scope.actions.forEach((a) => actions.add(a));
    have.set(scope.resource, actions);
  }
  return needed.every((text) => {
    const scope = parseScope(text);
    const actions = have.get(scope.resource);
    return actions !== undefined && (actions.has('*') || scope.actions.every((a) => actions.has(a)));
  });
}

/** Scopes a Bearer challenge names (space-separated in one `scope` parameter). */
export function challengeScopes(challenge: Challenge): string[] {
  return (challenge.params['scope'] ?? '').split(' ').filter((s) => s !== '');
}
