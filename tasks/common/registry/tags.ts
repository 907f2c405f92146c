import { answerError, parseJsonAnswer, stopsMidJson } from '../net/remoteAnswer';
import type { RepositoryLocation } from './reference';
import { answerSource } from './registryError';
import type { RegistryHttp } from './registryHttp';

const MAX_PAGES = 1000;

/** Every tag of a repository, following `Link: <...>; rel="next"` pages; [] when it does not exist. */
export async function listTags(http: RegistryHttp, at: RepositoryLocation): Promise<string[]> {
  const tags: string[] = [];
  const op = { ...at, operation: 'list tags', access: 'pull' } as const;
  let path: string | URL = `/v2/${at.repository}/tags/list`;
  let query: Record<string, string> | undefined = { n: '1000' };
  for (let page = 0; page < MAX_PAGES; page++) {
    const { res, body } = await http.callForBody({
      ...op,
      method: 'GET',
      path,
      ...(query ? { query } : {}),
      ok: [200, 404],
      cutShortIf: stopsMidJson,
    });
    if (res.status === 404) return tags;
    const listed = (
      parseJsonAnswer(body, res.headers['content-type'], answerSource(op)) as { tags?: unknown }
    ).tags;
    if (listed !== undefined && listed !== null && !isNameList(listed)) {
      throw answerError(answerSource(op), 'the answer\'s "tags" is not a list of names');
    }
    tags.push(...(listed ?? []));
    const next = nextPage(res.headers.link);
    if (!next) return tags;
    path = new URL(next, res.url);
    query = undefined;
  }
  return tags;
}

const isNameList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((t) => typeof t === 'string');

/** The `rel="next"` target of a Link header. */
export function nextPage(link: string | string[] | undefined): string | undefined {
  return /<([^>]+)>\s*;\s*rel="?next"?/.exec(String(link ?? ''))?.[1];
}
