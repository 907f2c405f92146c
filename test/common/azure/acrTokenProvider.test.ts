import assert from 'node:assert/strict';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { acrEntraScope, acrEntraTokenProvider } from '../../../tasks/common/azure/acrTokenProvider';
import { resolveAzureCloud } from '../../../tasks/common/azure/cloud';
import type { AzureRmConnection } from '../../../tasks/common/azure/connection';

const cloudOf = (environment: string, data: Record<string, string> = {}) =>
  resolveAzureCloud({
    id: 'c',
    scheme: 'ServicePrincipal',
    parameters: {},
    data: { environment, ...data },
  } satisfies AzureRmConnection);

/** A credential handing out numbered tokens that live `lifetimeMs` from the fake clock's now. */
class CountingCredential implements TokenCredential {
  readonly scopes: string[] = [];
  constructor(
    private readonly clock: { now: number },
    private readonly lifetimeMs: number,
  ) {}
  async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    await new Promise((resolve) => setImmediate(resolve));
    this.scopes.push([scopes].flat().join(' '));
    return { token: `token-${this.scopes.length}`, expiresOnTimestamp: this.clock.now + this.lifetimeMs };
  }
}

describe('acrEntraTokenProvider', () => {
  it('asks for the ACR audience of the connection cloud', () => {
    assert.equal(acrEntraScope(cloudOf('AzureCloud')), 'https://containerregistry.azure.net/.default');
    assert.equal(acrEntraScope(cloudOf('AzureUSGovernment')), 'https://containerregistry.azure.us/.default');
    assert.equal(acrEntraScope(cloudOf('AzureChinaCloud')), 'https://containerregistry.azure.cn/.default');
    assert.equal(
      acrEntraScope(cloudOf('AzureChinaCloud'), 'resourceManager'),
      'https://management.chinacloudapi.cn/.default',
    );
  });

  it('caches the token until shortly before it expires', async () => {
    const clock = { now: 1_000_000 };
    const credential = new CountingCredential(clock, 60 * 60_000);
    const get = acrEntraTokenProvider(credential, cloudOf('AzureCloud'), {
      refreshMarginMs: 5 * 60_000,
      now: () => clock.now,
    });
    assert.equal(await get(), 'token-1');
    clock.now += 54 * 60_000;
    assert.equal(await get(), 'token-1', 'still 6 minutes left');
    clock.now += 2 * 60_000;
    assert.equal(await get(), 'token-2', '4 minutes left: inside the margin');
    assert.deepEqual(credential.scopes, [
      'https://containerregistry.azure.net/.default',
      'https://containerregistry.azure.net/.default',
    ]);
  });

  it('shares one request between concurrent callers', async () => {
    const clock = { now: 0 };
    const credential = new CountingCredential(clock, 60 * 60_000);
    const get = acrEntraTokenProvider(credential, cloudOf('AzureCloud'), { now: () => clock.now });
    const tokens = await Promise.all([get(), get(), get()]);
    assert.deepEqual(tokens, ['token-1', 'token-1', 'token-1']);
    assert.equal(credential.scopes.length, 1);
  });

  it('asks again after a failure', async () => {
    let calls = 0;
    const flaky: TokenCredential = {
      getToken: () => {
        calls++;
        return calls === 1
          ? Promise.reject(new Error('AADSTS7000215'))
          : Promise.resolve({ token: 'ok', expiresOnTimestamp: Date.now() + 3_600_000 });
      },
    };
    const get = acrEntraTokenProvider(flaky, cloudOf('AzureCloud'));
    await assert.rejects(get(), /AADSTS7000215/);
    assert.equal(await get(), 'ok');
  });
});
