import fs from 'node:fs';
import { UserError, errorMessage } from '../errors';
import { digestProblem } from '../registry/digest';
import { IMAGE_LOCK_VERSION, type ImageLock, type LockOccurrence, type LockedImage } from './imageLock';

/**
 * Reads and validates an image lock file. Every problem is reported at once, each naming the file
 * and the JSON path of the bad value, e.g. `image-lock.json: images[2].digest must be ...`.
 */
export function readLockFile(file: string): ImageLock {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(
      `Image lock file ${file} could not be read: ${errorMessage(err)}. Check the path (for a lock from ` +
        `another stage, download its pipeline artifact first).`,
    );
  }
  return parseImageLock(text, file);
}

/** Validates lock file text; `source` names it in error messages. */
export function parseImageLock(text: string, source: string): ImageLock {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new UserError(`Image lock file ${source} is not valid JSON: ${errorMessage(err)}.`);
  }
  const problems: string[] = [];
  const lock = validateLock(value, problems);
  if (problems.length > 0 || lock === undefined) {
    throw new UserError(
      `Image lock file ${source} is not a valid image lock (written by PinImageDigests):\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
    );
  }
  return lock;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v));

function validateLock(value: unknown, problems: string[]): ImageLock | undefined {
  if (!isObject(value)) {
    problems.push(`the top level must be an object with version, generated and images; got ${show(value)}`);
    return undefined;
  }
  if (value['version'] !== IMAGE_LOCK_VERSION) {
    problems.push(
      `version must be ${IMAGE_LOCK_VERSION}, got ${show(value['version'])} (a newer PinImageDigests may have written it)`,
    );
  }
  const generated = value['generated'];
  if (typeof generated !== 'string' || Number.isNaN(Date.parse(generated))) {
    problems.push(`generated must be an ISO 8601 time, got ${show(generated)}`);
  }
  const images = value['images'];
  if (!Array.isArray(images)) {
    problems.push(`images must be an array, got ${show(images)}`);
    return undefined;
  }
  const valid = images.map((image, i) => validateImage(image, `images[${i}]`, problems));
  return { version: IMAGE_LOCK_VERSION, generated: String(generated), images: valid };
}

function text(obj: Json, key: string, where: string, problems: string[]): string {
  const v = obj[key];
  if (typeof v !== 'string' || v.trim() === '') {
    problems.push(`${where}.${key} must be a non-empty string, got ${show(v)}`);
    return '';
  }
  return v;
}

function validateImage(value: unknown, where: string, problems: string[]): LockedImage {
  if (!isObject(value)) {
    problems.push(`${where} must be an object, got ${show(value)}`);
    return { reference: '', resolved: '', digest: '', mediaType: '', platforms: [], occurrences: [] };
  }
  const reference = text(value, 'reference', where, problems);
  const resolved = text(value, 'resolved', where, problems);
  const digest = text(value, 'digest', where, problems);
  const mediaType = text(value, 'mediaType', where, problems);
  const digestIssue = digest ? digestProblem(digest) : undefined;
  if (digestIssue) problems.push(`${where}.digest ${show(digest)} is not a digest: ${digestIssue}`);
  if (resolved && digest && !resolved.endsWith(`@${digest}`)) {
    problems.push(`${where}.resolved (${resolved}) must end with @ and the digest (${digest})`);
  }
  const platforms = value['platforms'];
  let validPlatforms: string[] = [];
  if (!Array.isArray(platforms) || platforms.some((p) => typeof p !== 'string')) {
    problems.push(
      `${where}.platforms must be an array of strings such as "linux/amd64", got ${show(platforms)}`,
    );
  } else {
    validPlatforms = platforms as string[];
  }
  const occurrences = value['occurrences'];
  let validOccurrences: LockOccurrence[] = [];
  if (!Array.isArray(occurrences)) {
    problems.push(`${where}.occurrences must be an array, got ${show(occurrences)}`);
  } else {
    validOccurrences = occurrences.map((o, i) =>
      validateOccurrence(o, `${where}.occurrences[${i}]`, problems),
    );
  }
  return { reference, resolved, digest, mediaType, platforms: validPlatforms, occurrences: validOccurrences };
}

function validateOccurrence(value: unknown, where: string, problems: string[]): LockOccurrence {
  if (!isObject(value)) {
    problems.push(`${where} must be an object with file and line, got ${show(value)}`);
    return { file: '', line: 0 };
  }
  const file = text(value, 'file', where, problems);
  const line = value['line'];
  if (typeof line !== 'number' || !Number.isInteger(line) || line < 1) {
    problems.push(`${where}.line must be a whole number from 1, got ${show(line)}`);
    return { file, line: 0 };
  }
  return { file, line };
}
