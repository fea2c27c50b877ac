import { copyWith, shallowCopy } from '../../gateway/shared/copy-with';

// copyWith / shallowCopy stand in for `{ ...base, ...fields }` / `{ ...base }` on the request path:
// they must give the same object a spread gives.
describe('copyWith and shallowCopy make what a spread makes', () => {
  const marker = Symbol('marker');
  const base = Object.defineProperties({ a: 1, b: 'two', nested: { deep: true }, [marker]: 'symbol value' } as Record<string | symbol, unknown>, {
    hidden: { value: 'not enumerable', enumerable: false },
  });

  test('own enumerable string and symbol keys are copied, non-enumerable ones are not, nested objects are shared', () => {
    const copy = shallowCopy(base);
    expect(copy).toEqual({ ...base });
    expect(Reflect.ownKeys(copy)).toEqual(Reflect.ownKeys({ ...base }));
    expect(copy[marker]).toBe('symbol value');
    expect('hidden' in copy).toBe(false);
    expect(copy.nested).toBe(base.nested);
    expect(copy).not.toBe(base);
  });

  test('fields win over the base, in the order a spread gives, and the base is left as it was', () => {
    const extra = Symbol('extra');
    const copy = copyWith(base, { b: 'replaced', c: 3, [extra]: 'x' });
    const spread = { ...base, b: 'replaced', c: 3, [extra]: 'x' };
    expect(copy).toEqual(spread);
    expect(Reflect.ownKeys(copy)).toEqual(Reflect.ownKeys(spread));
    expect(base.b).toBe('two');
    expect('c' in base).toBe(false);
  });

  test('an undefined field still replaces the base value, as in a spread', () => {
    expect(copyWith({ a: 1, b: 2 }, { b: undefined })).toEqual({ a: 1, b: undefined });
    expect('b' in copyWith({ a: 1, b: 2 }, { b: undefined })).toBe(true);
  });
});
