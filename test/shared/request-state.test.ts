import { createRequestState } from '../../gateway/shared/request-state';

describe('per-request state kept on its owner', () => {
  test('each owner has its own value; another state of the same name does not see it', () => {
    const state = createRequestState<object, number>('test.count');
    const other = createRequestState<object, number>('test.count');
    const [a, b] = [{}, {}];
    expect(state.get(a)).toBeUndefined();
    state.set(a, 1);
    state.set(b, 2);
    state.set(a, 3);
    expect([state.get(a), state.get(b), other.get(a)]).toEqual([3, 2, undefined]);
    state.delete(a);
    expect(state.get(a)).toBeUndefined();
    expect(state.get(b)).toBe(2);
  });

  test('a copy of the owner (a spread context) starts without the state, as a new WeakMap key would', () => {
    const state = createRequestState<Record<string, unknown>, string>('test.copy');
    const context: Record<string, unknown> = { request: 'r' };
    state.set(context, 'kept');
    const copy = { ...context };
    expect(state.get(copy)).toBeUndefined();
    expect(Object.keys(context)).toEqual(['request']);
    expect(JSON.stringify(context)).toBe('{"request":"r"}');
  });
});
