/** The tabs GraphiQL opens with on a first visit: what the demo graph can do, one tab each. */
export const EXAMPLE_TABS = [
  {
    query: `# Orders with their customer and product: three upstream calls in all
# (orders, one batched users call, one batched products call).
query OrdersWithCustomers {
  orders(limit: 10) {
    id
    quantity
    status
    customer { id name }
    product { title price }
  }
}
`,
  },
  {
    query: `# Two levels of links: products → reviews → authors, each level one batched call.
query ProductReviews {
  products(limit: 5) {
    title
    reviews {
      rating
      body
      author { name }
    }
  }
}
`,
  },
  {
    query: `# One user and their orders (User.orders: one call per distinct user).
query UserWithOrders($id: ID! = "1") {
  user(id: $id) {
    name
    role
    orders { id status product { title } }
  }
}
`,
  },
  {
    query: `# Errors stay on their field: the unknown user is null with a NOT_FOUND error,
# the known one is intact.
query PartialFailure {
  known: user(id: "1") { name }
  unknown: user(id: "999999") { name }
}
`,
  },
  {
    query: `# A mutation; quantity must be between 1 and 100 and a note one line of at most 200 characters
# (the gateway checks the spec's constraints before calling the orders service).
mutation PlaceOrder {
  createOrder(input: { userId: "1", productId: "2", quantity: 3, note: "Leave it at the door" }) {
    id
    status
    createdAt
    product { title }
  }
}
`,
  },
];
