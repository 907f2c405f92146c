// The token realm rule on its own: which realms may receive a registry's password or Entra token.
// (Hosts that need DNS or public HTTPS, like Docker Hub's, can only be checked here.)
import assert from 'node:assert/strict';
import { realmRefusal, registrableDomain } from '../../../tasks/common/registry/realmPolicy';

const allowed = (origin: string, realm: string, kind: 'password' | 'entra' = 'password', plain = false) =>
  realmRefusal(new URL(origin), new URL(realm), kind, plain) === undefined;

describe('registry/realmPolicy: where credentials may go', () => {
  it('registrable domains: two labels, three under country second levels, whole host under shared suffixes', () => {
    assert.equal(registrableDomain('registry-1.docker.io'), 'docker.io');
    assert.equal(registrableDomain('auth.docker.io'), 'docker.io');
    assert.equal(registrableDomain('registry.example.co.uk'), 'example.co.uk');
    assert.equal(registrableDomain('example.co.uk'), 'example.co.uk');
    assert.equal(registrableDomain('co.uk'), undefined);
    assert.equal(registrableDomain('myreg.azurecr.io'), 'myreg.azurecr.io');
    assert.equal(
      registrableDomain('123456789012.dkr.ecr.us-east-1.amazonaws.com'),
      '123456789012.dkr.ecr.us-east-1.amazonaws.com',
    );
    assert.equal(registrableDomain('127.0.0.1'), undefined);
    assert.equal(registrableDomain('[::1]'), undefined);
    assert.equal(registrableDomain('localhost'), undefined);
  });

  it('Docker Hub: registry-1.docker.io signs in at auth.docker.io over HTTPS only', () => {
    assert.ok(allowed('https://registry-1.docker.io', 'https://auth.docker.io/token'));
    assert.ok(!allowed('https://registry-1.docker.io', 'http://auth.docker.io/token'));
    assert.ok(!allowed('https://registry-1.docker.io', 'https://auth.docker.io/token', 'entra'));
  });

  it('refuses another tenant of a shared suffix and another domain under a country suffix', () => {
    assert.ok(!allowed('https://myreg.azurecr.io', 'https://other.azurecr.io/oauth2/token'));
    assert.ok(allowed('https://myreg.azurecr.io', 'https://myreg.azurecr.io/oauth2/token'));
    assert.ok(!allowed('https://registry.example.co.uk', 'https://evil.co.uk/token'));
    assert.ok(allowed('https://registry.example.co.uk', 'https://auth.example.co.uk/token'));
    assert.ok(!allowed('https://registry.example.com', 'https://example.org/token'));
  });

  it('IP addresses and single labels: the same host and port only', () => {
    assert.ok(allowed('http://127.0.0.1:5000', 'http://127.0.0.1:5000/token', 'password', true));
    assert.ok(!allowed('http://127.0.0.1:5000', 'http://127.0.0.1:5001/token', 'password', true));
    assert.ok(!allowed('https://10.0.0.4', 'https://10.0.0.5/token'));
    assert.ok(!allowed('http://localhost:5000', 'http://127.0.0.1:5000/token', 'password', true));
    assert.ok(allowed('https://10.0.0.4', 'https://10.0.0.4:443/token'));
  });

  it('Entra ID: the registry own host and port only, HTTPS unless the registry is plain HTTP', () => {
    assert.ok(allowed('https://myreg.azurecr.io', 'https://myreg.azurecr.io/oauth2/token', 'entra'));
    assert.ok(!allowed('https://myreg.azurecr.io', 'https://myreg.azurecr.io:8443/oauth2/token', 'entra'));
    assert.ok(!allowed('https://reg.example.com', 'https://auth.example.com/oauth2/token', 'entra'));
    assert.ok(allowed('http://127.0.0.1:5000', 'http://127.0.0.1:5000/oauth2/token', 'entra', true));
    assert.ok(!allowed('https://reg.example.com:5000', 'http://reg.example.com:5000/oauth2/token', 'entra'));
  });

  it('plain HTTP realms only for registries that may be plain HTTP', () => {
    assert.ok(!allowed('https://reg.example.com:5000', 'http://reg.example.com:5000/token'));
    assert.ok(allowed('http://reg.example.com:5000', 'http://reg.example.com:5000/token', 'password', true));
    assert.match(
      realmRefusal(
        new URL('https://reg.example.com'),
        new URL('http://reg.example.com/token'),
        'password',
        false,
      ) ?? '',
      /not HTTPS/,
    );
  });
});
