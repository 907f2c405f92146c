import { answerError, parseJsonAnswer, stopsMidJson } from '../net/remoteAnswer';
import type { RepositoryLocation } from './reference';
import { answerSource } from './registryError';
import type { RegistryHttp } from './registryHttp';

const MAX_PAGES = 1000;

/** The tags of a repository as far as the first page went; `complete` when nothing follows. */
export interface TagListing {
  readonly tags: readonly string[];
  readonly complete: boolean;
}

/** Every tag of a repository, following `Link: <...>; rel="next"` pages; [] when it does not exist. */
export async function listTags(http: RegistryHttp, at: RepositoryLocation): Promise<string[]> {
  return (await readTags(http, at, MAX_PAGES)).tags;
}

/**
 * The first page of a repository's tags (up to 1000): enough to tell which of a few named tags
 * exist when it is complete; when more pages follow, looking those names up directly is cheaper.
 */
export function firstTagPage(http: RegistryHttp, at: RepositoryLocation): Promise<TagListing> {
  return readTags(http, at, 1);
}

async function readTags(
  http: RegistryHttp,
  at: RepositoryLocation,
  pages: number,
): Promise<TagListing & { tags: string[] }> {
  const tags: string[] = [];
  const op = { ...at, operation: 'list tags', access: 'pull' } as const;
  let path: string | URL = `/v2/${at.repository}/tags/list`;
  let query: Record<string, string> | undefined = { n: '1000' };
  for (let page = 0; page < pages; page++) {
    const { res, body } = await http.callForBody({
      ...op,
      method: 'GET',
      path,
      ...(query ? { query } : {}),
      ok: [200, 404],
      cutShortIf: stopsMidJson,
    });
    if (res.status === 404) return { tags, complete: true };
    const listed = (
      parseJsonAnswer(body, res.headers['content-type'], answerSource(op)) as { tags?: unknown }
    ).tags;
    if (listed !== undefined && listed !== null && !isNameList(listed)) {
      throw answerError(answerSource(op), 'the answer\'s "tags" is not a list of names');
    }
    tags.push(...(listed ?? []));
    const next = nextPage(res.headers.link);
    if (!next) return { tags, complete: true };
    path = new URL(next, res.url);
    query = undefined;
  }
  return { tags, complete: false };
}

const isNameList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((t) => typeof t === 'string');

/** The `rel="next"` target of a Link header. */
export function nextPage(link: string | string[] | undefined): string | undefined {
  return /<([^>]+)>\s*;\s*rel="?next"?/.exec(String(link ?? ''))?.[1];
}
