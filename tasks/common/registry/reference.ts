// Image references parsed as Docker parses them (github.com/distribution/reference,
// ParseNormalizedNamed): same grammar, same normalization, errors that say which rule broke.
import { UserError } from '../errors';
import { digestProblem } from './digest';

export const DOCKER_HUB = 'docker.io';
const LEGACY_DOCKER_HUB = 'index.docker.io';
const OFFICIAL_PREFIX = 'library/';
const MAX_NAME_LENGTH = 255;

/** A repository of a registry: an image reference without its tag or digest. */
export interface RepositoryLocation {
  /** Registry host, with port when given: `docker.io`, `myacr.azurecr.io`, `localhost:5000`. */
  readonly registry: string;
  /** Repository path inside the registry: `library/ubuntu`, `team/app`. */
  readonly repository: string;
}

/** The one image-location type, from the parsed input to the request. */
export interface ImageReference extends RepositoryLocation {
  readonly tag?: string;
  readonly digest?: string;
  /** Canonical form: `host/repo[:tag][@digest]`. */
  toString(): string;
}

// The grammar of distribution/reference (regexp.go), component by component.
const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainName = `${domainComponent}(?:\\.${domainComponent})*`;
const ipv6Address = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainAndPort = `(?:${domainName}|${ipv6Address})(?::[0-9]+)?`;
const tagPattern = '[\\w][\\w.-]{0,127}';
const digestPattern = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';

const referenceRegexp = new RegExp(
  `^((?:${domainAndPort}/)?${remoteName})(?::(${tagPattern}))?(?:@(${digestPattern}))?$`,
);
const nameRegexp = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
const tagRegexp = new RegExp(`^${tagPattern}$`);
const pathComponentRegexp = new RegExp(`^${pathComponent}$`);
const domainRegexp = new RegExp(`^${domainAndPort}$`);
const identifierRegexp = /^[a-f0-9]{64}$/;

/** Builds a reference value; callers pass already validated parts. */
export function imageReference(parts: {
  registry: string;
  repository: string;
  tag?: string | undefined;
  digest?: string | undefined;
}): ImageReference {
  const { registry, repository, tag, digest } = parts;
  return {
    registry,
    repository,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
    toString: () => `${registry}/${repository}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`,
  };
}

/** The image with `tag` or `digest` (parts already validated) in the repository `at`. */
export function imageIn(
  at: RepositoryLocation,
  version: { tag: string } | { digest: string },
): ImageReference {
  return imageReference({ registry: at.registry, repository: at.repository, ...version });
}

/** Parses `[host[:port]/]path[:tag][@digest]` exactly as `docker pull` does. */
export function parseImageReference(text: string): ImageReference {
  const input = text.trim();
  const fail = (rule: string): never => {
    throw new UserError(`Invalid image reference "${input}": ${rule}.`);
  };
  if (input === '') fail('the reference is empty; expected [host[:port]/]repository[:tag][@digest]');
  if (/^[:@]/.test(input)) fail('the repository name is missing before the tag or digest');
  if (identifierRegexp.test(input)) {
    fail('a 64-character hexadecimal string is an image ID, not a repository name');
  }
  const [domain, remainder] = splitDockerDomain(input);
  const tagSeparator = remainder.indexOf(':');
  const remote = tagSeparator >= 0 ? remainder.slice(0, tagSeparator) : remainder;
  if (remote.toLowerCase() !== remote) fail(`the repository name "${remote}" must be lower-case`);

  const full = `${domain}/${remainder}`;
  const match = referenceRegexp.exec(full);
  if (!match) {
    const lower = full.toLowerCase();
    if (lower !== full && referenceRegexp.test(lower)) fail('the repository name must be lower-case');
    return fail(explainInvalid(domain, remainder));
  }
  const name = nameRegexp.exec(match[1] ?? '');
  const registry = name?.[1] ?? domain;
  const repository = name?.[2] ?? remainder;
  if (repository.length > MAX_NAME_LENGTH) {
    fail(`the repository name must not be longer than ${MAX_NAME_LENGTH} characters`);
  }
  const digest = match[3];
  if (digest !== undefined) {
    const problem = digestProblem(digest);
    if (problem) fail(problem);
  }
  return imageReference({ registry, repository, tag: match[2], digest });
}

/** Docker's splitDockerDomain: the first component is a host only when it looks like one. */
function splitDockerDomain(name: string): [string, string] {
  const slash = name.indexOf('/');
  if (slash < 0) return [DOCKER_HUB, OFFICIAL_PREFIX + name];
  const maybeDomain = name.slice(0, slash);
  const rest = name.slice(slash + 1);
  let domain: string;
  let remote: string;
  if (maybeDomain === 'localhost') [domain, remote] = [maybeDomain, rest];
  else if (maybeDomain === LEGACY_DOCKER_HUB) [domain, remote] = [DOCKER_HUB, rest];
  else if (/[.:]/.test(maybeDomain)) [domain, remote] = [maybeDomain, rest];
  // Upper-case namespaces are not allowed, so an upper-case first component is a host name.
  else if (maybeDomain.toLowerCase() !== maybeDomain) [domain, remote] = [maybeDomain, rest];
  else [domain, remote] = [DOCKER_HUB, name];
  if (domain === DOCKER_HUB && !remote.includes('/')) remote = OFFICIAL_PREFIX + remote;
  return [domain, remote];
}

/** Names the first rule `domain/remainder` breaks, for an error message. */
function explainInvalid(domain: string, remainder: string): string {
  if (!domainRegexp.test(domain)) {
    return `"${domain}" is not a valid registry host (letters, digits, '-' and '.', optional :port)`;
  }
  const at = remainder.indexOf('@');
  const beforeDigest = at >= 0 ? remainder.slice(0, at) : remainder;
  if (at >= 0) {
    const digest = remainder.slice(at + 1);
    const problem = digestProblem(digest);
    if (problem) return problem;
  }
  const colon = beforeDigest.lastIndexOf(':');
  const path = colon >= 0 ? beforeDigest.slice(0, colon) : beforeDigest;
  if (colon >= 0) {
    const tag = beforeDigest.slice(colon + 1);
    if (!tagRegexp.test(tag)) return tagRule(tag);
  }
  for (const component of path.split('/')) {
    if (!pathComponentRegexp.test(component)) return componentRule(component);
  }
  return 'expected [host[:port]/]repository[:tag][@digest]';
}

function tagRule(tag: string): string {
  return (
    `the tag "${tag}" is invalid: a tag has 1 to 128 characters, letters, digits, '_', '.' and '-', ` +
    `and does not start with '.' or '-'`
  );
}

function componentRule(component: string): string {
  if (component === '') return 'the repository path has an empty component (two slashes or a trailing slash)';
  return (
    `the repository path component "${component}" is invalid: use lower-case letters and digits, ` +
    `separated by one '.', one or two '_', or any number of '-', neither first nor last`
  );
}

/** Returns `tag` when Docker accepts it as a tag; throws a UserError naming `what` otherwise. */
export function validateTag(tag: string, what: string): string {
  if (!tagRegexp.test(tag)) throw new UserError(`Invalid tag (${what}): ${tagRule(tag)}.`);
  return tag;
}

/** The short form Docker shows: `ubuntu:22.04` for `docker.io/library/ubuntu:22.04`. */
export function familiarString(ref: ImageReference): string {
  let name = `${ref.registry}/${ref.repository}`;
  if (ref.registry === DOCKER_HUB) {
    const path = ref.repository;
    const official = path.startsWith(OFFICIAL_PREFIX) && !path.slice(OFFICIAL_PREFIX.length).includes('/');
    name = official ? path.slice(OFFICIAL_PREFIX.length) : path;
  }
  return `${name}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}
