import assert from 'node:assert/strict';
import { resolveAzureCloud } from '../../../tasks/common/azure/cloud';
import type { AzureRmConnection } from '../../../tasks/common/azure/connection';
import { UserError } from '../../../tasks/common/errors';

const connection = (data: Record<string, string>, url?: string): AzureRmConnection => ({
  id: '11111111-2222-4333-8444-555555555555',
  url,
  scheme: 'ServicePrincipal',
  parameters: {},
  data,
});

describe('resolveAzureCloud', () => {
  it('takes the public cloud endpoints for AzureCloud', () => {
    const cloud = resolveAzureCloud(connection({ environment: 'AzureCloud' }));
    assert.equal(cloud.authorityHost, 'https://login.microsoftonline.com/');
    assert.equal(cloud.knownAuthority, true);
    assert.equal(cloud.managementScope, 'https://management.azure.com/.default');
    assert.equal(cloud.containerRegistryScope, 'https://containerregistry.azure.net/.default');
    assert.equal(cloud.keyVaultScope, 'https://vault.azure.net/.default');
    assert.equal(cloud.keyVaultDnsSuffix, 'vault.azure.net');
  });

  it('uses US Government endpoints, not the public ones', () => {
    const cloud = resolveAzureCloud(connection({ environment: 'AzureUSGovernment' }));
    assert.equal(cloud.authorityHost, 'https://login.microsoftonline.us/');
    assert.equal(cloud.managementScope, 'https://management.usgovcloudapi.net/.default');
    assert.equal(cloud.containerRegistryScope, 'https://containerregistry.azure.us/.default');
    assert.equal(cloud.keyVaultDnsSuffix, 'vault.usgovcloudapi.net');
    assert.equal(cloud.knownAuthority, true);
  });

  it('uses China cloud endpoints (environment names are case-insensitive)', () => {
    const cloud = resolveAzureCloud(connection({ environment: 'azurechinacloud' }));
    assert.equal(cloud.authorityHost, 'https://login.chinacloudapi.cn/');
    assert.equal(cloud.containerRegistryScope, 'https://containerregistry.azure.cn/.default');
    assert.equal(cloud.keyVaultScope, 'https://vault.azure.cn/.default');
  });

  it("prefers the connection's own data over the built-in table", () => {
    const cloud = resolveAzureCloud(
      connection({
        environment: 'AzureCloud',
        activeDirectoryAuthority: 'https://127.0.0.1:8443',
        AzureKeyVaultDnsSuffix: 'vault.example.test',
      }),
    );
    assert.equal(cloud.authorityHost, 'https://127.0.0.1:8443/');
    assert.equal(cloud.knownAuthority, false, 'an emulator needs instance discovery off');
    assert.equal(cloud.keyVaultDnsSuffix, 'vault.example.test');
  });

  it('reaches Azure Stack Hub with Entra ID through the authority as given', () => {
    const cloud = resolveAzureCloud(
      connection(
        {
          environment: 'AzureStack',
          activeDirectoryAuthority: 'https://login.microsoftonline.com/',
          activeDirectoryServiceEndpointResourceId: 'https://management.fabrikam.onmicrosoft.com/81c4-11',
        },
        'https://management.local.azurestack.external/',
      ),
    );
    assert.equal(cloud.knownAuthority, true);
    assert.equal(cloud.adfs, false);
    assert.equal(cloud.resourceManagerUrl, 'https://management.local.azurestack.external/');
    assert.equal(cloud.managementScope, 'https://management.fabrikam.onmicrosoft.com/81c4-11/.default');
    assert.equal(cloud.containerRegistryScope, undefined, 'Azure Stack has no ACR audience');
  });

  it('recognises Azure Stack Hub with ADFS', () => {
    const cloud = resolveAzureCloud(
      connection({
        environment: 'AzureStack',
        activeDirectoryAuthority: 'https://adfs.local.azurestack.external/adfs/',
      }),
    );
    assert.equal(cloud.adfs, true);
    assert.equal(cloud.knownAuthority, false);
    assert.equal(cloud.authorityHost, 'https://adfs.local.azurestack.external/adfs/');
  });

  it('refuses a custom cloud without an authority, naming the connection', () => {
    assert.throws(
      () => resolveAzureCloud(connection({ environment: 'AzureStack' })),
      (err: unknown) =>
        err instanceof UserError &&
        err.message.includes('11111111-2222-4333-8444-555555555555') &&
        err.message.includes("'activeDirectoryAuthority'"),
    );
  });

  it('refuses a plain-http authority', () => {
    assert.throws(
      () =>
        resolveAzureCloud(
          connection({ environment: 'AzureCloud', activeDirectoryAuthority: 'http://login.test/' }),
        ),
      /must be an https URL/,
    );
  });
});
