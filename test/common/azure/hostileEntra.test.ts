// An Entra ID authority (or a proxy in its place) answering what Entra never does: an HTML 502
// page, HTML with 200, a body over the limit, a body cut off, a wrong content type. Signing in
// ends in a UserError naming the service connection, the authority's host and the scope, and
// saying what came back instead of MSAL's bare endpoints_resolution_error; no stack.
import { createAzureCredential } from '../../../tasks/common/azure/credentialFactory';
import { silentLogger } from '../../../tasks/common/log';
import { HOSTILE_KINDS, type HostileFront, startHostileFront } from '../../emulators/hostileAnswers';
import { assertNamesWhere, failure } from '../../support/failureMessages';

const CONNECTION_ID = 'f00df00d-0000-4000-8000-00000000e1e1';
const TENANT = '4c5d6e7f-1111-4222-8333-944455556666';

describe('azure/hostileEntra: unusable Entra ID answers name the connection, the authority and the scope', function () {
  this.timeout(60_000);
  let front: HostileFront;
  let tried = 0;
  beforeEach(async () => {
    front = await startHostileFront({ tls: true });
  });
  afterEach(() => front.close());
  after(() => console.log(`      Entra ID hostile answers tried: ${tried}`));

  for (const kind of HOSTILE_KINDS) {
    it(`the authority answered ${kind}`, async () => {
      front.script({
        match: () => true,
        kind,
        options: {
          oversizeBytes: 17 * 1024 * 1024,
          wrongType: { contentType: 'text/plain', body: 'issuer=x' },
        },
      });
      const { credential } = createAzureCredential(
        {
          id: CONNECTION_ID,
          url: 'https://management.azure.com/',
          scheme: 'ServicePrincipal',
          parameters: {
            serviceprincipalid: 'b0b0b0b0-0000-4000-8000-00000000c1d1',
            tenantid: TENANT,
            authenticationType: 'spnKey',
            serviceprincipalkey: 'entra-hostile-test-secret',
          },
          data: { environment: 'AzureCloud', activeDirectoryAuthority: `${front.url}/` },
        },
        {
          network: { tls: { caFile: front.caFile ?? '' } },
          secrets: { register: () => undefined },
          logger: silentLogger,
        },
      );
      const err = await failure(credential.getToken('https://vault.azure.net/.default'));
      tried++;
      assertNamesWhere(err.message, kind, [CONNECTION_ID, front.host, 'https://vault.azure.net/.default']);
    });
  }
});
