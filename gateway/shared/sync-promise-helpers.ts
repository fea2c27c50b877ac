import { version } from '@whatwg-node/promise-helpers/package.json';
// The CommonJS module object itself (not an import's copy of it): yoga, envelop and
// @whatwg-node/server call its functions through it at every use, so what is set here is what they call.
import helpersModule = require('@whatwg-node/promise-helpers');

type Step = (value?: unknown) => unknown;
type HandleMaybePromise = (input: Step, onSuccess?: Step, onError?: Step, onFinally?: () => unknown) => unknown;
type IterateAsync = <T>(items: Iterable<T>, callback: (item: T, endEarly: () => void, index: number) => unknown, results?: unknown[]) => unknown;

interface PromiseHelpers {
  handleMaybePromise: HandleMaybePromise;
  iterateAsync: IterateAsync;
  iterateAsyncVoid: IterateAsync;
  mapMaybePromise: (input: unknown, onSuccess?: Step, onError?: Step) => unknown;
  fakePromise: (value?: unknown) => PromiseLike<unknown> & { finally(onFinally: () => unknown): PromiseLike<unknown> };
  unfakePromise: (promise: unknown) => unknown;
}

/** The version whose semantics the functions below reproduce (tested against it, case by case). */
const REPRODUCED_VERSION = /^1\.3\./;

const helpers = helpersModule as unknown as PromiseHelpers;
const library = { handleMaybePromise: helpers.handleMaybePromise };

/**
 * Synchronous steps of yoga's and envelop's hook pipeline without allocating promises.
 *
 * Every hook a request passes (~48 of them: onRequest, onRequestParse, onParams, onParse,
 * onValidate, onExecute, onResultProcess, onResponse...) is one step of
 * @whatwg-node/promise-helpers' `iterateAsync`, and each step a `handleMaybePromise`, which wraps
 * even a synchronous value in three "fake promises" (objects with then/catch/finally closures) to
 * unwrap it at the end. That was 30-35 % of the bytes a request allocated (a sampling heap profile
 * with collected objects: 51 of 175 KB for Q1, one user by id; 38 of 112 KB for a cache hit).
 *
 * These versions run a synchronous step directly, with the same outcome in every case (value,
 * thrown error, which factory runs when, what `finally` may change), and hand anything that
 * returned a promise-like to the library's own code from that point: 176 → 133 KB allocated per
 * Q1 request, 111 → 81 KB per cache hit; CPU per Q1 request 0.38-0.44 → 0.36-0.38 ms.
 *
 * Installed only over the version they reproduce; another version is left as it is (and the test
 * says so, so that an upgrade is checked again).
 *
 * It only helps while hooks stay synchronous: the first one that returns a promise (an `async`
 * function does, even when it returns at once) hands the rest of the iteration to the library.
 * So Tessera's hooks return a promise only when they have something to wait for (the endpoints'
 * own paths, a body to read, a reply to compress, a JWT to verify).
 */
export function installSyncPromiseHelpers(): boolean {
  if (!REPRODUCED_VERSION.test(version)) return false;
  if (helpers.handleMaybePromise === handleMaybePromise) return true;
  helpers.handleMaybePromise = handleMaybePromise;
  helpers.iterateAsync = iterateAsync;
  helpers.iterateAsyncVoid = iterateAsync;
  helpers.mapMaybePromise = (input, onSuccess, onError) => handleMaybePromise(() => input, onSuccess, onError);
  return true;
}

function isPromiseLike(value: unknown): boolean {
  return (value as { then?: unknown } | null | undefined)?.then != null;
}

/** The library's `fakePromise().then(input).then(onSuccess, onError).finally(onFinally)`, unfaked. */
export function handleMaybePromise(input: Step, onSuccess?: Step, onError?: Step, onFinally?: () => unknown): unknown {
  let value: unknown;
  let failed = false;
  let error: unknown;
  try {
    value = input();
  } catch (thrown) {
    failed = true;
    error = thrown;
  }
  if (!failed && isPromiseLike(value)) return library.handleMaybePromise(() => value, onSuccess, onError, onFinally);
  // As `then(onSuccess, onError)`: onError handles the input's failure only, not onSuccess's.
  if (!failed && onSuccess) {
    try {
      value = onSuccess(value);
    } catch (thrown) {
      failed = true;
      error = thrown;
    }
  } else if (failed && onError) {
    failed = false;
    try {
      value = onError(error);
    } catch (thrown) {
      failed = true;
      error = thrown;
    }
  }
  if (!failed && isPromiseLike(value)) {
    const settled = helpers.fakePromise(value);
    return helpers.unfakePromise(onFinally ? settled.finally(onFinally) : settled);
  }
  if (onFinally) {
    // A failure keeps its error whatever onFinally returns; a success waits for a promise it returns.
    const finished = onFinally();
    if (!failed && isPromiseLike(finished)) {
      return helpers.unfakePromise(
        helpers.fakePromise(finished).then(
          () => value,
          () => value,
        ),
      );
    }
  }
  if (failed) throw error;
  return value;
}

/**
 * The library's `iterateAsync`: synchronous steps run in a loop, with nothing allocated per step but
 * its `endEarly` (each step's own, as in the library, so a stale one ends nothing). A step that
 * returns a promise-like hands the rest to the library's handleMaybePromise, which resumes this
 * loop once it settles; a step that throws throws to the caller, as the library's unfaked
 * rejection does.
 */
export function iterateAsync<T>(items: Iterable<T>, callback: (item: T, endEarly: () => void, index: number) => unknown, results?: unknown[]): unknown {
  if ((items as { length?: number } | undefined)?.length === 0) return undefined;
  const iterator = items[Symbol.iterator]();
  let index = 0;
  const iterate = (): unknown => {
    for (;;) {
      const next = iterator.next();
      if (next.done) return undefined;
      let endedEarly = false;
      const endEarly = () => {
        endedEarly = true;
      };
      const result = callback(next.value, endEarly, index++);
      if (isPromiseLike(result)) {
        return library.handleMaybePromise(
          () => result,
          (settled) => {
            if (settled) results?.push(settled);
            return endedEarly ? undefined : iterate();
          },
        );
      }
      if (result) results?.push(result);
      if (endedEarly) return undefined;
    }
  };
  return iterate();
}
