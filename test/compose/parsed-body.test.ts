/**
 * Successful REST answers reach the resolvers already parsed, without the loader's per-object
 * metadata (gateway/upstream/parsed-body.ts). What a client sees must be what the loader gave:
 * its shape fixes (an object where a list is expected, a list where an object is), and the
 * answers it still reads itself (null items, error statuses).
 */
import { composeGateway, type ComposedGateway } from '../../gateway/compose/compose';
import { configFor, run, specPath, startCannedServer, type CannedServer } from './canned';

const note = (id: number, title: string) => ({ id, title, summary: null, priority: 1, archived_at: null, color: null, author: null });

let upstream: CannedServer;
let composed: ComposedGateway;
const answers = new Map<string, [number, unknown]>();

beforeAll(async () => {
  upstream = await startCannedServer(({ url }) => answers.get(url));
  composed = await composeGateway(configFor([{ name: 'notes', spec: specPath('notes-3.1.yaml'), url: upstream.url }]));
});
afterAll(async () => {
  await composed?.close();
  await upstream?.close();
});
beforeEach(() => {
  answers.clear();
  upstream.requests.length = 0;
});

test('a list answer is served as it came', async () => {
  answers.set('/notes', [200, [note(1, 'One'), note(2, 'Two')]]);
  const result = await run(composed.schema, '{ notes { id title priority } }');
  expect(result).toEqual({ data: { notes: [{ id: '1', title: 'One', priority: 1 }, { id: '2', title: 'Two', priority: 1 }] } });
});

test('an object where the operation answers a list becomes a list of one', async () => {
  answers.set('/notes', [200, note(1, 'Only')]);
  const result = await run(composed.schema, '{ notes { id title } }');
  expect(result).toEqual({ data: { notes: [{ id: '1', title: 'Only' }] } });
});

test('a list where the operation answers one object gives its first item', async () => {
  answers.set('/notes/4', [200, [note(4, 'First'), note(5, 'Second')]]);
  const result = await run(composed.schema, '{ note(id: 4) { id title } }');
  expect(result).toEqual({ data: { note: { id: '4', title: 'First' } } });
});

test('a null item of a list is null plus a NOT_FOUND error at its index; the others are served', async () => {
  answers.set('/notes', [200, [note(1, 'One'), null]]);
  const result = await run(composed.schema, '{ notes { id title } }');
  expect(result.data).toEqual({ notes: [{ id: '1', title: 'One' }, null] });
  expect(result.errors).toHaveLength(1);
  expect(result.errors![0]).toMatchObject({ path: ['notes', 1], extensions: { code: 'NOT_FOUND' } });
  // Counted as the path counts: the second item is at index 1.
  expect(result.errors![0].message).toMatch(/ answered null at index 1 of the list \(as in the error's path\): no such entity$/);
});

test('an error status is still a field error with the upstream status', async () => {
  answers.set('/notes/9', [404, { error: 'not_found', message: 'no note 9' }]);
  const result = await run(composed.schema, '{ note(id: 9) { id title } }');
  expect(result.data).toEqual({ note: null });
  expect(result.errors).toHaveLength(1);
  expect(result.errors![0]).toMatchObject({ path: ['note'], extensions: { code: 'NOT_FOUND' } });
});
