import { getDataset, mulberry32, ORDER_STATUSES, SEED_COUNTS, USER_ROLES } from '../../sources/data';

describe('seeded data', () => {
  const data = getDataset();

  test('has the documented sizes and dense ids from 1', () => {
    expect(data.users).toHaveLength(1000);
    expect(data.products).toHaveLength(200);
    expect(data.orders).toHaveLength(5000);
    expect(data.reviews).toHaveLength(2000);
    for (const list of [data.users, data.products, data.orders, data.reviews]) {
      expect(list.filter((item, i) => item.id !== i + 1)).toEqual([]);
    }
  });

  test('is deterministic (the fixed-seed PRNG repeats itself)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    expect(range5(a)).toEqual(range5(b));
    // Pin a few values so an accidental change to the generators is noticed.
    expect(data.users[0]).toEqual({ id: 1, name: 'Edsger Clarke', email: 'edsger.clarke.1@example.com', role: 'customer' });
    expect(data.orders[0]?.createdAt).toMatch(/^2024-01-01T/);
  });

  // Violations are collected and compared once: thousands of expect() calls would dominate the test time.
  test('respects the field constraints promised by the specs', () => {
    const isInt = (n: number, min: number, max: number) => Number.isInteger(n) && n >= min && n <= max;

    expect(new Set(data.users.map((u) => u.email)).size).toBe(SEED_COUNTS.users);
    expect(new Set(data.users.map((u) => u.role))).toEqual(new Set(USER_ROLES));

    expect(data.products.filter((p) => Math.round(p.price * 100) / 100 !== p.price || p.price <= 0)).toEqual([]);
    expect(new Set(data.products.map((p) => p.inStock))).toEqual(new Set([true, false]));

    const badOrders = data.orders.filter(
      (o, i) =>
        !isInt(o.userId, 1, SEED_COUNTS.users) ||
        !isInt(o.productId, 1, SEED_COUNTS.products) ||
        !isInt(o.quantity, 1, 100) ||
        !ORDER_STATUSES.includes(o.status) ||
        new Date(o.createdAt).toISOString() !== o.createdAt ||
        (i > 0 && o.createdAt <= (data.orders[i - 1]?.createdAt ?? '')),
    );
    expect(badOrders).toEqual([]);
    expect(new Set(data.orders.map((o) => o.status))).toEqual(new Set(ORDER_STATUSES));

    const badReviews = data.reviews.filter(
      (r) =>
        !isInt(r.rating, 1, 5) ||
        !isInt(r.authorId, 1, SEED_COUNTS.users) ||
        !isInt(r.productId, 1, SEED_COUNTS.products) ||
        r.body === '',
    );
    expect(badReviews).toEqual([]);
  });

  test('records are frozen, so one service instance cannot corrupt another', () => {
    expect(Object.isFrozen(data.users[0])).toBe(true);
    expect(Object.isFrozen(data.orders)).toBe(true);
  });
});

function range5(next: () => number): number[] {
  return [next(), next(), next(), next(), next()];
}
