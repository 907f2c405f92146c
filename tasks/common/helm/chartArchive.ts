import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { UserError } from '../errors';

/** A regular file of a chart archive. */
export interface ArchiveFile {
  readonly name: string;
  readonly sha256: string;
}

const BLOCK = 512;

function field(header: Buffer, offset: number, length: number): string {
  const raw = header.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? length : end).toString('utf8');
}

function octal(header: Buffer, offset: number, length: number): number {
  const text = field(header, offset, length).trim();
  return text === '' ? 0 : parseInt(text, 8);
}

/** `path=...` from a PAX extended header (long names). */
function paxPath(data: Buffer): string | undefined {
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space === -1) break;
    const length = Number(data.subarray(at, space).toString('ascii'));
    if (!Number.isFinite(length) || length <= 0) break;
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    if (record.startsWith('path=')) return record.slice(5);
    at += length;
  }
  return undefined;
}

/** Lists the regular files of a gzipped tar (ustar, PAX and GNU long names), with their SHA-256. */
export function archiveFiles(tgz: Buffer, what: string): ArchiveFile[] {
  let tar: Buffer;
  try {
    tar = zlib.gunzipSync(tgz);
  } catch (err) {
    throw new UserError(`${what} is not a gzipped chart archive: ${(err as Error).message}`);
  }
  const files: ArchiveFile[] = [];
  let at = 0;
  let longName: string | undefined;
  while (at + BLOCK <= tar.length) {
    const header = tar.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) break;
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156] ?? 0);
    const data = tar.subarray(at + BLOCK, at + BLOCK + size);
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') {
      longName = paxPath(data) ?? longName;
      continue;
    }
    if (type === 'L') {
      longName = field(data, 0, data.length);
      continue;
    }
    const prefix = field(header, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    longName = undefined;
    if (type === '0' || type === '\0') {
      files.push({ name, sha256: crypto.createHash('sha256').update(data).digest('hex') });
    }
  }
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * A digest of what a chart archive holds (file names and contents), blind to what `helm package`
 * varies between runs: timestamps, modes, compression. Two packages of the same chart source
 * have the same content digest, whichever Helm made them.
 */
export function chartContentDigest(tgz: Buffer, what: string): string {
  const hash = crypto.createHash('sha256');
  for (const file of archiveFiles(tgz, what)) hash.update(`${file.name}\0${file.sha256}\n`);
  return `sha256:${hash.digest('hex')}`;
}
