import type { Order, OrderStatus } from '../data';

export interface OrderInput {
  userId: number;
  productId: number;
  quantity: number;
  note?: string;
}

export interface OrderPage {
  limit: number;
  offset: number;
  userId?: number;
  status?: OrderStatus;
  /** Epoch milliseconds: only orders created after it. */
  placedAfter?: number;
}

/**
 * Orders of one service instance: the shared seeded orders plus whatever was
 * created through this instance. Keeping created orders per instance means
 * parallel test files never see each other's writes.
 */
export class OrderStore {
  private readonly orders: Order[];
  private readonly byUser = new Map<number, Order[]>();

  constructor(seeded: readonly Order[]) {
    this.orders = [...seeded];
    for (const order of this.orders) this.index(order);
  }

  get(id: number): Order | undefined {
    // Ids are dense from 1 (seeded and created alike), so the id is the index.
    const order = this.orders[id - 1];
    return order?.id === id ? order : undefined;
  }

  list({ limit, offset, userId, status, placedAfter }: OrderPage): readonly Order[] {
    let source = userId === undefined ? this.orders : (this.byUser.get(userId) ?? []);
    if (status !== undefined) source = source.filter((order) => order.status === status);
    if (placedAfter !== undefined) source = source.filter((order) => Date.parse(order.createdAt) > placedAfter);
    return source.slice(offset, offset + limit);
  }

  create(input: OrderInput, now: Date): Order {
    const order: Order = Object.freeze({
      id: this.orders.length + 1,
      userId: input.userId,
      productId: input.productId,
      quantity: input.quantity,
      ...(input.note !== undefined ? { note: input.note } : {}),
      status: 'pending',
      createdAt: now.toISOString(),
    });
    this.orders.push(order);
    this.index(order);
    return order;
  }

  private index(order: Order): void {
    const list = this.byUser.get(order.userId);
    if (list) list.push(order);
    else this.byUser.set(order.userId, [order]);
  }
}
