import { startDemoGateway, type RunningGateway } from '../support/harness';

describe('server.adminPort: operators\' endpoints on their own port', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startDemoGateway({ configure: (config) => ({ ...config, server: { ...config.server, adminPort: 0 } }) });
  });
  afterAll(() => gw.close());

  test('the public port serves GraphQL and probes, not /metrics, /_tessera or /_tessera/usage', async () => {
    expect((await gw.query('{ user(id: "1") { id } }')).body).toEqual({ data: { user: { id: '1' } } });
    for (const path of ['/metrics', '/_tessera', '/_tessera/usage']) expect([path, (await fetch(`${gw.base}${path}`)).status]).toEqual([path, 404]);
    expect((await fetch(`${gw.base}/healthz`)).status).toBe(200);
  });

  test('the admin port serves them (and the probes), and nothing else', async () => {
    const admin = gw.adminBase!;
    expect(admin).not.toBe(gw.base);
    expect(await (await fetch(`${admin}/metrics`)).text()).toContain('tessera_graphql_requests_total');
    expect((await fetch(`${admin}/_tessera`)).status).toBe(200);
    expect(((await (await fetch(`${admin}/_tessera/usage`)).json()) as { totals: { count: number } }).totals.count).toBeGreaterThanOrEqual(1);
    expect((await fetch(`${admin}/healthz`)).status).toBe(200);
    const graphql = await fetch(`${admin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(graphql.status).toBe(404);
  });
});
