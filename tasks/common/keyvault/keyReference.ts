import { UserError } from '../errors';
import { KEY_REFERENCE_SCHEME, isKeyReference } from '../signatures';

/** A Key Vault key as cosign names it: `azurekms://<vault>/<key>[/<version>]`. */
export interface KeyReference {
  /** The reference as given, for messages. */
  readonly text: string;
  /** A vault name (`fabrikam`), or its host (`fabrikam.vault.azure.net`, `10.1.2.3:8443`). */
  readonly vault: string;
  readonly name: string;
  /** Absent: the key's current version (read once, then pinned). */
  readonly version: string | undefined;
}

/** Key names: 1-127 letters, digits and hyphens; versions: 32 hex characters. */
const KEY_NAME = /^[0-9a-zA-Z-]{1,127}$/;
const KEY_VERSION = /^[0-9a-fA-F]{32}$/;
const VAULT = /^[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::\d{1,5})?$/;

/**
 * Parses `azurekms://[VAULT_NAME][VAULT_URI]/[KEY][/VERSION]` (cosign's form, a version added as
 * Key Vault key ids carry it); `input` names the task input in errors.
 */
export function parseKeyReference(text: string, input: string): KeyReference {
  const trimmed = text.trim();
  const usage =
    `Input '${input}': '${trimmed}' is not a Key Vault key reference; write it as cosign does, ` +
    `azurekms://<vault name or host>/<key name>[/<key version>], e.g. azurekms://fabrikam.vault.azure.net/release-signing.`;
  if (!isKeyReference(trimmed)) throw new UserError(usage);
  const [vault = '', name = '', version, ...rest] = trimmed.slice(KEY_REFERENCE_SCHEME.length).split('/');
  if (!VAULT.test(vault) || rest.length > 0 || (version !== undefined && version === ''))
    throw new UserError(usage);
  if (!KEY_NAME.test(name)) {
    throw new UserError(`${usage} The key name '${name}' must be 1-127 letters, digits and hyphens.`);
  }
  if (version !== undefined && !KEY_VERSION.test(version)) {
    throw new UserError(`${usage} The key version '${version}' must be 32 hexadecimal characters.`);
  }
  return { text: trimmed, vault, name, version: version?.toLowerCase() };
}
