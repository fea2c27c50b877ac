/**
 * Deterministic seed data shared by the four demo services.
 *
 * Everything is derived from fixed seeds so that tests, benchmarks and
 * screenshots see byte-identical data on every machine and every run.
 * Each collection gets its own PRNG stream: changing how one collection is
 * generated must not silently reshuffle the others.
 */

export const USER_ROLES = ['customer', 'staff', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const ORDER_STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface User {
  id: number;
  name: string;
  email: string;
  role: UserRole;
}

export interface Product {
  id: number;
  title: string;
  price: number;
  inStock: boolean;
}

export interface Order {
  id: number;
  userId: number;
  productId: number;
  quantity: number;
  status: OrderStatus;
  /** Only on orders placed with one (never on seeded orders). */
  note?: string;
  createdAt: string;
}

export interface Review {
  id: number;
  productId: number;
  authorId: number;
  rating: number;
  body: string;
}

export interface Dataset {
  readonly users: readonly User[];
  readonly products: readonly Product[];
  readonly orders: readonly Order[];
  readonly reviews: readonly Review[];
}

export const SEED_COUNTS = { users: 1000, products: 200, orders: 5000, reviews: 2000 } as const;

const BASE_SEED = 0x7e55e7a;

/** mulberry32: tiny, fast and good enough for fixtures; not for anything secret. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Rng {
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

function rng(stream: number): Rng {
  const next = mulberry32(BASE_SEED ^ Math.imul(stream, 0x9e3779b1));
  return {
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
    chance: (p) => next() < p,
  };
}

const FIRST_NAMES = [
  'Ada', 'Alan', 'Grace', 'Linus', 'Margaret', 'Dennis', 'Barbara', 'Ken', 'Frances', 'Edsger',
  'Radia', 'Tim', 'Hedy', 'Donald', 'Katherine', 'John', 'Sophie', 'Guido', 'Joan', 'Bjarne',
] as const;
const LAST_NAMES = [
  'Lovelace', 'Turing', 'Hopper', 'Torvalds', 'Hamilton', 'Ritchie', 'Liskov', 'Thompson', 'Allen',
  'Dijkstra', 'Perlman', 'Lee', 'Lamarr', 'Knuth', 'Johnson', 'McCarthy', 'Wilson', 'Rossum', 'Clarke',
  'Stroustrup',
] as const;
const ADJECTIVES = [
  'Compact', 'Ergonomic', 'Rustic', 'Sleek', 'Heavy-Duty', 'Wireless', 'Recycled', 'Smart', 'Vintage',
  'Portable', 'Modular', 'Quiet',
] as const;
const NOUNS = [
  'Keyboard', 'Lamp', 'Backpack', 'Kettle', 'Headphones', 'Chair', 'Notebook', 'Monitor', 'Mug',
  'Speaker', 'Desk', 'Bottle', 'Jacket', 'Charger',
] as const;
const REVIEW_OPENERS = [
  'Exactly as described.', 'Arrived late but works.', 'Would buy again.', 'Not worth the price.',
  'Surprisingly good quality.', 'Stopped working after a week.', 'My kids love it.', 'Does the job.',
] as const;
const REVIEW_CLOSERS = [
  'Five stars from me.', 'Packaging could be better.', 'Customer support was helpful.',
  'I have mixed feelings.', 'Recommended.', 'Returned it.', 'Good value overall.',
] as const;

function generateUsers(): User[] {
  const r = rng(1);
  const users: User[] = [];
  for (let id = 1; id <= SEED_COUNTS.users; id++) {
    const first = r.pick(FIRST_NAMES);
    const last = r.pick(LAST_NAMES);
    // Roles are skewed like a real shop: mostly customers, a handful of admins.
    const roll = r.int(1, 100);
    const role: UserRole = roll <= 85 ? 'customer' : roll <= 97 ? 'staff' : 'admin';
    // The id suffix keeps emails unique even though names repeat.
    users.push({ id, name: `${first} ${last}`, email: `${first}.${last}.${id}@example.com`.toLowerCase(), role });
  }
  return users;
}

function generateProducts(): Product[] {
  const r = rng(2);
  const products: Product[] = [];
  for (let id = 1; id <= SEED_COUNTS.products; id++) {
    const title = `${r.pick(ADJECTIVES)} ${r.pick(NOUNS)} ${r.int(100, 999)}`;
    // Work in cents so the price is exactly representable with two decimals.
    const price = r.int(199, 49999) / 100;
    products.push({ id, title, price, inStock: r.chance(0.8) });
  }
  return products;
}

const ORDERS_EPOCH_MS = Date.UTC(2024, 0, 1, 0, 0, 0);

function generateOrders(): Order[] {
  const r = rng(3);
  const orders: Order[] = [];
  // createdAt grows with the id so "newest orders" and "highest ids" agree.
  let at = ORDERS_EPOCH_MS;
  for (let id = 1; id <= SEED_COUNTS.orders; id++) {
    at += r.int(60, 7200) * 1000;
    orders.push({
      id,
      userId: r.int(1, SEED_COUNTS.users),
      productId: r.int(1, SEED_COUNTS.products),
      // Most orders are small; a few bulk orders exercise the upper bound.
      quantity: r.chance(0.9) ? r.int(1, 5) : r.int(6, 100),
      status: r.pick(ORDER_STATUSES),
      createdAt: new Date(at).toISOString(),
    });
  }
  return orders;
}

function generateReviews(): Review[] {
  const r = rng(4);
  const reviews: Review[] = [];
  for (let id = 1; id <= SEED_COUNTS.reviews; id++) {
    // Skewed towards positive ratings, as review sites usually are.
    const rating = r.pick([1, 2, 3, 3, 4, 4, 4, 5, 5, 5] as const);
    reviews.push({
      id,
      productId: r.int(1, SEED_COUNTS.products),
      authorId: r.int(1, SEED_COUNTS.users),
      rating,
      body: `${r.pick(REVIEW_OPENERS)} ${r.pick(REVIEW_CLOSERS)}`,
    });
  }
  return reviews;
}

let cached: Dataset | undefined;

/**
 * The seeded dataset, generated on first use and then shared.
 * Records are frozen because every service instance reads the same objects;
 * per-instance state (such as created orders) must live elsewhere.
 */
export function getDataset(): Dataset {
  cached ??= {
    users: freezeAll(generateUsers()),
    products: freezeAll(generateProducts()),
    orders: freezeAll(generateOrders()),
    reviews: freezeAll(generateReviews()),
  };
  return cached;
}

function freezeAll<T extends object>(items: T[]): readonly Readonly<T>[] {
  for (const item of items) Object.freeze(item);
  return Object.freeze(items);
}

/** Ids are dense and start at 1, so lookup is an index, not a search. */
export function byId<T extends { id: number }>(items: readonly T[], id: number): T | undefined {
  const item = items[id - 1];
  return item !== undefined && item.id === id ? item : undefined;
}
