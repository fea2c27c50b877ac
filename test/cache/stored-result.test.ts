import { SerializedData, fromStored, toStored } from '../../gateway/cache/stored-result';
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
