import { closestName } from '../../gateway/config/suggest';

describe('closestName (did-you-mean hints)', () => {
  it('suggests the closest candidate, not the first one within reach', () => {
    // "products" is 2 edits from "prodcut" and listed first; "product" is 1 edit away.
    expect(closestName('prodcut', ['products', 'product'])).toBe('product');
  });

  it('ignores case and keeps the declared order among equally close names', () => {
    expect(closestName('EMAIL', ['mail', 'emails', 'emial'])).toBe('mail');
  });

  it('suggests nothing when no candidate is close', () => {
    expect(closestName('createOrder', ['users', 'products'])).toBeUndefined();
  });
});
