// node:https and node:tls, loaded on first use rather than at start: loading them costs a task
// about a third of `node -e 0` (OpenSSL's set-up), which a run that fails on its inputs, or talks
// to nothing over TLS, never needs. Types come from `import type`, which loads nothing.
import type Https from 'node:https';
import type Tls from 'node:tls';

/* eslint-disable @typescript-eslint/no-require-imports -- a synchronous load on first use */
export const nodeHttps = (): typeof Https => require('node:https') as typeof Https;
export const nodeTls = (): typeof Tls => require('node:tls') as typeof Tls;
/* eslint-enable @typescript-eslint/no-require-imports */
