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

/**
 * All of an object's states live in one holder, its only hidden property: defineProperty is a
 * runtime call and adds to the object's shape (~1 % of the bench's Q1 CPU when each of the four or
 * five states a request gets defined its own), while a field of the holder is a plain store.
 */
const HOLDER = Symbol('tessera.requestState');
type Holder = Record<symbol, unknown>;

function holderOf(owner: object, create: boolean): Holder | undefined {
  const existing = (owner as { [HOLDER]?: Holder })[HOLDER];
  if (existing || !create) return existing;
  const holder: Holder = {};
  Object.defineProperty(owner, HOLDER, { value: holder, configurable: true });
  return holder;
}

export function createRequestState<K extends object, V>(name: string): RequestState<K, V> {
  const key = Symbol(name);
  return {
    get: (owner) => holderOf(owner, false)?.[key] as V | undefined,
    set(owner, value) {
      holderOf(owner, true)![key] = value;
      return value;
    },
    delete(owner) {
      // Emptied rather than deleted: a delete can turn the holder's properties into a dictionary.
      const holder = holderOf(owner, false);
      if (holder && key in holder) holder[key] = undefined;
    },
  };
}
