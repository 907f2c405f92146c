import { type ImageReference, familiarString, imageReference } from '../registry';
import { splitWritten } from './referenceText';
import { wildcardRegExp } from '../wildcard';

/**
 * Image patterns for the include and exclude inputs: `*` matches any run of characters (slashes
 * too), `?` one character; case-insensitive. A pattern matches a reference when it matches the
 * reference as written or in canonical or familiar form, with or without its tag and digest:
 * `myrepo.azurecr.io/*`, `nginx`, `docker.io/library/*` and `*:latest` all work.
 */
export class ImageFilter {
  private readonly include: RegExp[];
  private readonly exclude: RegExp[];

  constructor(include: readonly string[], exclude: readonly string[]) {
    this.include = include.map((p) => wildcardRegExp(p.trim()));
    this.exclude = exclude.map((p) => wildcardRegExp(p.trim()));
  }

  /** True when the reference is included (no include pattern means all) and not excluded. */
  accepts(ref: ImageReference, written: string): boolean {
    if (this.include.length === 0 && this.exclude.length === 0) return true;
    const forms = referenceForms(ref, written);
    const matches = (patterns: RegExp[]): boolean => patterns.some((p) => forms.some((f) => p.test(f)));
    return (this.include.length === 0 || matches(this.include)) && !matches(this.exclude);
  }
}

function referenceForms(ref: ImageReference, written: string): string[] {
  const bare = imageReference({ registry: ref.registry, repository: ref.repository });
  const tagged = imageReference({ registry: ref.registry, repository: ref.repository, tag: ref.tag });
  return [
    written,
    splitWritten(written).name,
    ref.toString(),
    bare.toString(),
    tagged.toString(),
    familiarString(ref),
    familiarString(bare),
    familiarString(tagged),
  ];
}
