/**
 * State that lives as long as one request (kept on the request, its GraphQL context or a resolve
 * info object), as a hidden property of that object instead of in a WeakMap keyed by it.
 *
 * Why not a WeakMap: V8's young-generation GC treats the values of a WeakMap that lives in the old
 * generation (any WeakMap made at start-up) as strong; only the keys are weak. State that reaches
 * its request (a record holding the context, a loader whose batch function closes over it) kept the
 * whole request alive through every scavenge, so each request's objects were promoted to the old
 * generation and freed only by a full GC: under the bench's Q1 load ~3 MB promoted per scavenge
 * and a full GC every ~0.8 s. A property dies with its object in the next scavenge.
 *
 * The property is not enumerable, so spreading or copying the object (as graphql-tools does with
 * contexts) does not carry the state over: a copy starts without it, as a new WeakMap key would.
 */
export interface RequestState<K extends object, V> {
  get(owner: K): V | undefined;
  set(owner: K, value: V): V;
  delete(owner: K): void;
}

export function createRequestState<K extends object, V>(name: string): RequestState<K, V> {
  const key = Symbol(name);
  type Holder = { [key]?: V };
  return {
    get: (owner) => (owner as Holder)[key],
    set(owner, value) {
      const holder = owner as Holder;
      if (key in holder) holder[key] = value;
      else Object.defineProperty(holder, key, { value, writable: true, configurable: true });
      return value;
    },
    delete(owner) {
      // Emptied rather than deleted: a delete can turn the object's properties into a dictionary.
      if (key in owner) (owner as Holder)[key] = undefined;
    },
  };
}
