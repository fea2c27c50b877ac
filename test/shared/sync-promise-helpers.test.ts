/**
 * gateway/shared/sync-promise-helpers.ts replaces @whatwg-node/promise-helpers' handleMaybePromise
 * and iterateAsync (which yoga and envelop run every hook through) with versions that run
 * synchronous steps without promises. Every combination of what the steps do must end as the
 * library's does: the same value or error, synchronous where the library is, and the same calls
 * in the same order.
 */
import library = require('@whatwg-node/promise-helpers');
import { handleMaybePromise, installSyncPromiseHelpers, iterateAsync } from '../../gateway/shared/sync-promise-helpers';

const original = { handleMaybePromise: library.handleMaybePromise, iterateAsync: library.iterateAsync, mapMaybePromise: library.mapMaybePromise };

/** A rejected promise already marked handled, so that a step that drops it leaves no unhandled rejection. */
function rejected(error: Error): Promise<never> {
  const promise = Promise.reject(error);
  promise.catch(() => {});
  return promise;
}

type Behaviour = (log: string[], arg?: unknown) => unknown;

const INPUTS: Record<string, Behaviour> = {
  value: (log) => (log.push('input'), 'v'),
  undefined: (log) => void log.push('input'),
  throws: (log) => {
    log.push('input');
    throw new Error('input failed');
  },
  resolved: (log) => (log.push('input'), Promise.resolve('p')),
  rejected: (log) => (log.push('input'), rejected(new Error('input rejected'))),
  thenable: (log) => (log.push('input'), { then: (resolve: (v: unknown) => void) => resolve('t') }),
  fake: (log) => (log.push('input'), library.fakePromise('f')),
};
const SUCCESS: Record<string, Behaviour | undefined> = {
  none: undefined,
  value: (log, v) => (log.push(`success(${String(v)})`), [v, 's']),
  throws: (log, v) => {
    log.push(`success(${String(v)})`);
    throw new Error('success failed');
  },
  resolved: (log, v) => (log.push(`success(${String(v)})`), Promise.resolve('ps')),
  rejected: (log, v) => (log.push(`success(${String(v)})`), rejected(new Error('success rejected'))),
};
const ERROR: Record<string, Behaviour | undefined> = {
  none: undefined,
  value: (log, e) => (log.push(`error(${(e as Error).message})`), 'handled'),
  throws: (log, e) => {
    log.push(`error(${(e as Error).message})`);
    throw new Error('error failed');
  },
  resolved: (log, e) => (log.push(`error(${(e as Error).message})`), Promise.resolve('pe')),
};
const FINALLY: Record<string, Behaviour | undefined> = {
  none: undefined,
  value: (log) => (log.push('finally'), 'ignored'),
  throws: (log) => {
    log.push('finally');
    throw new Error('finally failed');
  },
  resolved: (log) => (log.push('finally'), Promise.resolve('ignored')),
  rejected: (log) => (log.push('finally'), rejected(new Error('finally rejected'))),
};

interface Outcome {
  synchronous: boolean;
  settled: { value: unknown } | { error: string };
  log: string[];
}

async function outcomeOf(run: (log: string[]) => unknown): Promise<Outcome> {
  const log: string[] = [];
  let returned: unknown;
  try {
    returned = run(log);
  } catch (error) {
    return { synchronous: true, settled: { error: (error as Error).message }, log };
  }
  const thenable = (returned as { then?: unknown } | undefined)?.then != null;
  if (!thenable) return { synchronous: true, settled: { value: returned }, log };
  const settled = await new Promise<Outcome['settled']>((resolve) =>
    (returned as PromiseLike<unknown>).then(
      (value) => resolve({ value }),
      (error: unknown) => resolve({ error: (error as Error).message }),
    ),
  );
  return { synchronous: false, settled, log };
}

const bind = (behaviour: Behaviour | undefined, log: string[]) => behaviour && ((arg?: unknown) => behaviour(log, arg));

test('handleMaybePromise ends as the library does, for every input, success, error and finally behaviour', async () => {
  let compared = 0;
  for (const [inputName, input] of Object.entries(INPUTS)) {
    for (const [successName, success] of Object.entries(SUCCESS)) {
      for (const [errorName, error] of Object.entries(ERROR)) {
        for (const [finallyName, onFinally] of Object.entries(FINALLY)) {
          const make = (impl: typeof handleMaybePromise) => (log: string[]) =>
            impl(bind(input, log)!, bind(success, log), bind(error, log), bind(onFinally, log) as (() => unknown) | undefined);
          const expected = await outcomeOf(make(original.handleMaybePromise as typeof handleMaybePromise));
          const actual = await outcomeOf(make(handleMaybePromise));
          expect({ case: `${inputName}/${successName}/${errorName}/${finallyName}`, ...actual }).toEqual({ case: `${inputName}/${successName}/${errorName}/${finallyName}`, ...expected });
          compared++;
        }
      }
    }
  }
  expect(compared).toBe(7 * 5 * 4 * 5);
});

test('a synchronous chain answers synchronously, with finally run once', () => {
  const log: string[] = [];
  const result = handleMaybePromise(
    () => 1,
    (v) => (v as number) + 1,
    undefined,
    () => void log.push('finally'),
  );
  expect(result).toBe(2);
  expect(log).toEqual(['finally']);
});

type Hook = (log: string[], endEarly: () => void, index: number) => unknown;

const HOOK_LISTS: Record<string, Hook[]> = {
  'all synchronous': [(log, _e, i) => void log.push(`a${i}`), (log, _e, i) => (log.push(`b${i}`), 'result-b'), (log, _e, i) => void log.push(`c${i}`)],
  'one ends early': [(log) => void log.push('a'), (log, endEarly) => (log.push('b'), endEarly(), 'stop'), (log) => void log.push('never')],
  'one waits': [(log) => void log.push('a'), (log) => (log.push('b'), Promise.resolve('later')), (log) => void log.push('c')],
  'one throws': [
    (log) => void log.push('a'),
    (log) => {
      log.push('b');
      throw new Error('hook failed');
    },
    (log) => void log.push('never'),
  ],
  'one rejects': [(log) => void log.push('a'), (log) => (log.push('b'), rejected(new Error('hook rejected'))), (log) => void log.push('never')],
  'waits, then ends early': [(log) => (log.push('a'), Promise.resolve(undefined)), (log, endEarly) => (log.push('b'), endEarly()), (log) => void log.push('never')],
  'a stale endEarly ends nothing': (() => {
    let first: (() => void) | undefined;
    const hooks: Hook[] = [(log, endEarly) => ((first = endEarly), void log.push('a')), (log) => (first!(), void log.push('b')), (log) => void log.push('c')];
    return hooks;
  })(),
  empty: [],
};

test('iterateAsync runs hooks as the library does: order, results, ending early, waiting and failing', async () => {
  for (const [name, hooks] of Object.entries(HOOK_LISTS)) {
    const make = (impl: typeof iterateAsync) => (log: string[]) => {
      const results: unknown[] = [];
      const returned = impl(hooks, (hook, endEarly, index) => hook(log, endEarly, index), results);
      log.push(`returned ${(returned as { then?: unknown } | undefined)?.then ? 'a promise' : 'synchronously'}`);
      const done = (returned as { then?: unknown } | undefined)?.then ? (returned as Promise<unknown>) : undefined;
      return done ? done.then(() => results) : results;
    };
    const expected = await outcomeOf(make(original.iterateAsync as typeof iterateAsync));
    const actual = await outcomeOf(make(iterateAsync));
    expect({ name, ...actual }).toEqual({ name, ...expected });
  }
});

test('installed over the version it reproduces, the library module yoga and envelop call is the one changed', () => {
  try {
    expect(installSyncPromiseHelpers()).toBe(true); // false would mean the library was upgraded: check it again
    expect(library.handleMaybePromise).toBe(handleMaybePromise);
    expect(library.iterateAsync).toBe(iterateAsync);
    expect(library.mapMaybePromise((v: unknown) => v, (v) => `${String(v)}!`)).toBeDefined();
    expect(library.mapMaybePromise(3, (v) => (v as number) * 2)).toBe(6);
  } finally {
    Object.assign(library, original, { iterateAsyncVoid: original.iterateAsync });
  }
});
