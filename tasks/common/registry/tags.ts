import type { RepositoryLocation } from './blobs';
import { repositoryScope } from './challenge';
import { RegistryError } from './registryError';
import type { RegistryHttp } from './registryHttp';

const MAX_PAGES = 1000;

/** Every tag of a repository, following `Link: <...>; rel="next"` pages; [] when it does not exist. */
export async function listTags(http: RegistryHttp, at: RepositoryLocation): Promise<string[]> {
  const tags: string[] = [];
  let path: string | URL = `/v2/${at.repository}/tags/list`;
  let query: Record<string, string> | undefined = { n: '1000' };
  for (let page = 0; page < MAX_PAGES; page++) {
    const { res, body } = await http.callForBody({
      ...at,
      operation: 'list tags',
      access: 'pull',
      method: 'GET',
      path,
      ...(query ? { query } : {}),
      scopes: [repositoryScope(at.repository, 'pull')],
      ok: [200, 404],
    });
    if (res.status === 404) return tags;
    const parsed = parseTagList(body, at);
    tags.push(...(parsed.tags ?? []));
    const next = nextPage(res.headers.link);
    if (!next) return tags;
    path = new URL(next, res.url);
    query = undefined;
  }
  return tags;
}

function parseTagList(body: Buffer, at: RepositoryLocation): { tags?: string[] | null } {
  try {
    return JSON.parse(body.toString('utf8')) as { tags?: string[] | null };
  } catch {
    const { registry, repository } = at;
    throw new RegistryError(
      `The tag list of ${registry}/${repository} is not JSON (the answer may have been cut short on the way); ` +
        'run again, and if it persists check the registry and any proxy between the agent and it.',
      { registry, repository, operation: 'list tags', access: 'pull' },
    );
  }
}

/** The `rel="next"` target of a Link header. */
export function nextPage(link: string | string[] | undefined): string | undefined {
  return /<([^>]+)>\s*;\s*rel="?next"?/.exec(String(link ?? ''))?.[1];
}
