// How many images of one step are worked on at once (`sourceImage` listing several).

/**
 * Images copied at once. Each copy is a chain of about eight round trips (manifest, target tags,
 * blob checks, uploads, manifest) with its blobs 4 at once, so on a real network more images at
 * once shorten the step nearly in proportion, while the requests (what registries count against
 * their rate limits) stay the same. 8 keeps the streams to one registry at 32 at most.
 */
export const IMAGE_CONCURRENCY = 8;

/** The pre-check before several copies: two light requests per image (manifest, target tags). */
export const CHECK_CONCURRENCY = 16;
