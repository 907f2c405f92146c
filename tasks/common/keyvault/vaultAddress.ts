import { UserError } from '../errors';

export interface VaultAddress {
  /** `https://name.vault.azure.net`, no trailing slash. */
  readonly url: string;
  /** How the vault is named in messages and the summary. */
  readonly label: string;
  /**
   * Whether SecretClient checks that the vault's 401 challenge names a resource its host belongs
   * to. See resolveVaultAddress for when this is off.
   */
  readonly verifyChallengeResource: boolean;
}

/** Vault names: 3-24 characters, letters, digits and hyphens, starting with a letter, no `--`. */
const VAULT_NAME = /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;

const underSuffix = (host: string, suffix: string | undefined) =>
  suffix !== undefined && host.toLowerCase().endsWith(`.${suffix.toLowerCase().replace(/^\./, '')}`);

function parseVaultUri(text: string, input: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UserError(`${input} '${text}' is neither a vault name nor a valid URI.`);
  }
  if (url.protocol !== 'https:') {
    throw new UserError(`${input} '${text}': a vault URI must use https.`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new UserError(`${input} '${text}': a vault URI carries no credentials, query or fragment.`);
  }
  return url;
}

/**
 * The vault URL from the keyVaultName input (or a key reference's vault, `input` naming it): a name is completed with the connection's Key Vault
 * DNS suffix (`vault.azure.net` in the public cloud, `vault.usgovcloudapi.net`...); a host name or
 * a full https URI (private endpoints, sovereign or custom clouds) is used as given.
 *
 * Challenge resource verification (decided here, on purpose): SecretClient only accepts a 401
 * challenge whose resource the vault's host belongs to (`x.vault.azure.net` for
 * `https://vault.azure.net`). A vault reached at an address outside the cloud's Key Vault domain
 * (an IP address, a custom DNS name for a private endpoint, an emulator) never passes that check,
 * so it is turned off only when the user gave the address explicitly AND its host is not under
 * the cloud's Key Vault DNS suffix. The token is then requested for whatever resource the vault
 * names; the caller warns that it is not verified. A plain vault name always keeps the check.
 */
export function resolveVaultAddress(
  value: string,
  dnsSuffix: string | undefined,
  input = 'keyVaultName',
): VaultAddress {
  const text = value.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) || text.includes('.') || text.includes(':')) {
    const url = parseVaultUri(/:\/\//.test(text) ? text : `https://${text}`, input);
    const base = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
    return { url: base, label: base, verifyChallengeResource: underSuffix(url.hostname, dnsSuffix) };
  }
  if (!VAULT_NAME.test(text)) {
    throw new UserError(
      `${input} '${text}' is not a valid vault name (3-24 letters, digits and hyphens, starting with a letter) ` +
        'nor an https URI.',
    );
  }
  if (dnsSuffix === undefined) {
    throw new UserError(
      `${input} '${text}' is a vault name, but the service connection's cloud has no Key Vault DNS suffix ` +
        '(AzureKeyVaultDnsSuffix): give the full vault URI instead, e.g. https://name.vault.example.',
    );
  }
  const suffix = dnsSuffix.replace(/^\./, '');
  return { url: `https://${text.toLowerCase()}.${suffix}`, label: text, verifyChallengeResource: true };
}

/**
 * The warning for a vault outside its cloud's Key Vault domain (a private endpoint name, an
 * emulator): its sign-in challenge's resource is not verified. Undefined when it is.
 */
export function unverifiedVaultWarning(
  vault: VaultAddress,
  dnsSuffix: string | undefined,
  input?: string,
): string | undefined {
  if (vault.verifyChallengeResource) return undefined;
  return (
    `${input ? `Input '${input}': ` : ''}${vault.url} is outside the Key Vault domain of the connection's cloud ` +
    `(${dnsSuffix ?? 'none'}): the resource named by the vault's sign-in challenge is not verified, and a token ` +
    'is requested for it. Use this only for a vault address you trust (private endpoint DNS name, emulator).'
  );
}
