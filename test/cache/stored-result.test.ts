import { SerializedData, fromStored, toStored } from '../../gateway/cache/stored-result';
import { createMemoryBackend } from '../../gateway/cache/memory';
import { processRegularResult } from 'graphql-yoga';

// A hit is written out from the stored text; it must be byte for byte what JSON.stringify makes.
const result = { data: { orders: [{ id: '1', note: 'ünïcode "quoted" \\ slash', total: 12.5, tags: [], missing: null }] }, extensions: { cost: 3 } };

test('a stored result comes back as the same JSON, its data kept as text', async () => {
  const stored = JSON.parse(JSON.stringify(toStored(result))); // as the store's JSON round trip leaves it
  const hit = fromStored(stored)!;
  expect(hit.data).toBeInstanceOf(SerializedData);
  expect(typeof (hit as { stringify?: unknown }).stringify).toBe('function'); // yoga's hook for writing the text out
  const withMetadata = { ...hit, extensions: { ...hit.extensions, responseCache: { hit: true } } }; // envelop spreads it
  const response = processRegularResult(withMetadata, globalThis as never, 'application/json');
  expect(await response.text()).toBe(JSON.stringify({ ...result, extensions: { ...result.extensions, responseCache: { hit: true } } }));
  expect(JSON.stringify(withMetadata)).toBe(await processRegularResult(withMetadata, globalThis as never, 'application/json').text());
});

test('an entry stored before (a plain result) is still served', () => {
  expect(fromStored(result as never)).toBe(result);
  expect(fromStored(undefined)).toBeUndefined();
});

test('an entry is text only, so the in-memory store keeps it as is and no hit can change the next one', async () => {
  const backend = createMemoryBackend({ maxEntries: 10, maxBytes: 10_000, onEvict: () => {} });
  const stored = toStored(result);
  expect(Object.values(stored).every((value) => typeof value === 'string')).toBe(true);
  await backend.entries.set('k', stored, 60_000);
  const first = fromStored(await backend.entries.get('k'))!;
  (first.extensions as Record<string, unknown>).cost = 999; // a careless consumer of a hit
  const second = fromStored(await backend.entries.get('k'))!;
  expect(JSON.stringify(second)).toBe(JSON.stringify(result));
  await backend.close();
});

test('an entry written with its other members as an object (before restText) is still served', () => {
  const earlier = { dataText: JSON.stringify(result.data), rest: { extensions: result.extensions } };
  expect(JSON.stringify(fromStored(earlier))).toBe(JSON.stringify(result));
});
