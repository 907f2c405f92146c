import assert from 'node:assert/strict';
import { chartSource } from '../../../tasks/common/helm/chartSource';
import { UserError } from '../../../tasks/common/errors';

describe('chart source from a chart repository URL', () => {
  it('refuses credentials in repositoryUrl (they would reach the command line and the log)', () => {
    assert.throws(
      () => chartSource('delivery', 'https://user:s3cret-pass@charts.fabrikam.com', '/tmp'),
      (err: unknown) => err instanceof UserError && !err.message.includes('s3cret-pass'),
    );
    assert.deepEqual(chartSource('stable/delivery', 'https://charts.fabrikam.com', '/tmp'), {
      kind: 'repository',
      name: 'delivery',
      repositoryUrl: 'https://charts.fabrikam.com',
    });
  });
});
