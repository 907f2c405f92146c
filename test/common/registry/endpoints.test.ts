import assert from 'node:assert/strict';
import { Endpoints, isLoopbackHost, isPlainHttpAnswer } from '../../../tasks/common/registry/endpoints';

describe('registry/endpoints: which scheme a registry gets', () => {
  it("treats Docker's loopback hosts as insecure, with or without a port", () => {
    for (const host of ['localhost', 'localhost:5000', '127.0.0.1', '127.1.2.3:80', '[::1]:5000', '::1']) {
      assert.equal(isLoopbackHost(host), true, host);
    }
    for (const host of ['myacr.azurecr.io', '10.0.0.1:5000', 'localhost.example.com', '128.0.0.1']) {
      assert.equal(isLoopbackHost(host), false, host);
    }
  });

  it('matches insecure-registries entries by host, host:port, scheme-prefixed entry or IPv4 CIDR', () => {
    const endpoints = new Endpoints(['registry.lan', 'build.lan:5000', 'http://old.lan/', '10.1.0.0/16']);
    assert.equal(endpoints.isInsecure('registry.lan:443'), true);
    assert.equal(endpoints.isInsecure('build.lan:5000'), true);
    assert.equal(endpoints.isInsecure('build.lan:6000'), false);
    assert.equal(endpoints.isInsecure('old.lan'), true);
    assert.equal(endpoints.isInsecure('10.1.200.3:5000'), true);
    assert.equal(endpoints.isInsecure('10.2.0.1'), false);
    assert.equal(endpoints.isInsecure('myacr.azurecr.io'), false);
  });

  it('uses HTTPS, docker.io at registry-1.docker.io, and plain HTTP only after an insecure host spoke it', () => {
    const endpoints = new Endpoints([]);
    assert.equal(endpoints.origin('docker.io'), 'https://registry-1.docker.io');
    const tlsToPlain = Object.assign(new Error('ssl3_get_record:wrong version number'), { code: 'EPROTO' });
    assert.equal(endpoints.downgrade('myacr.azurecr.io', tlsToPlain), false, 'never for a secure registry');
    assert.equal(endpoints.origin('myacr.azurecr.io'), 'https://myacr.azurecr.io');
    assert.equal(
      endpoints.downgrade('localhost:5000', new Error('ECONNREFUSED')),
      false,
      'only for a TLS/plain mismatch',
    );
    assert.equal(endpoints.downgrade('localhost:5000', tlsToPlain), true);
    assert.equal(endpoints.origin('localhost:5000'), 'http://localhost:5000');
    assert.equal(
      isPlainHttpAnswer(Object.assign(new Error('x'), { code: 'ERR_SSL_WRONG_VERSION_NUMBER' })),
      true,
    );
  });
});
