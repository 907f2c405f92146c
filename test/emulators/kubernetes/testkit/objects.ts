// Small builders and readers shared by the emulator's own tests.

/** The value at a path of keys in a parsed object, or undefined. */
export const at = (obj: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], obj);

/** A minimal Deployment whose selector and pod labels are `app: <name>`. */
export const deployment = (name: string, image = 'web:1') => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, labels: { app: name } },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image }] } },
  },
});
