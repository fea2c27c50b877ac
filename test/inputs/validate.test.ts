/**
 * The validator alone, for what the GraphQL layer usually decides first: a string enum (the loader
 * makes it a GraphQL enum, but not where the value is free-form JSON) and several patterns in one
 * source, each keeping its own regex.
 */
import { createInputValidator, describeValue } from '../../gateway/inputs/validate';

test('enum: a value outside the spec list is a violation; null (absent) is not', () => {
  const validate = createInputValidator(new Map([['Query.search', { properties: { filter: { properties: { color: { enum: ['red', 'dark-blue', null] } } } } }]]));
  expect(validate('Query.search', { filter: { color: 'dark-blue' } })).toBeUndefined();
  expect(validate('Query.search', { filter: { color: null } })).toBeUndefined();
  expect(validate('Query.search', { filter: { color: 'purple' } })).toEqual({
    path: ['filter', 'color'],
    constraint: 'enum',
    expected: ['red', 'dark-blue', null],
    problem: 'must be one of red, dark-blue (got "purple")',
  });
});

test('every pattern of a source runs its own regex (ajv caches compiled patterns by their text)', () => {
  const validate = createInputValidator(
    new Map([
      ['Query.a', { properties: { code: { pattern: '^[A-Z]+$' } } }],
      ['Query.b', { properties: { code: { pattern: '^[0-9]+$' } } }],
    ]),
  );
  expect(validate('Query.a', { code: 'ABC' })).toBeUndefined();
  expect(validate('Query.b', { code: '123' })).toBeUndefined();
  expect(validate('Query.b', { code: 'ABC' })).toMatchObject({ constraint: 'pattern', expected: '^[0-9]+$' });
});

test('patterns search, as JSON Schema says, rather than match the whole value', () => {
  const validate = createInputValidator(new Map([['Query.a', { properties: { code: { pattern: '[0-9]{3}' } } }]]));
  expect(validate('Query.a', { code: 'ab123cd' })).toBeUndefined();
  expect(validate('Query.a', { code: 'ab12cd' })).toMatchObject({ constraint: 'pattern' });
});

test('values are described briefly: short strings quoted, long ones by length and a prefix', () => {
  expect(describeValue('short')).toBe('"short"');
  expect(describeValue('x'.repeat(500))).toBe('a string of 500 characters starting "xxxxxxxxxxxx"…');
  expect(describeValue([1, 2])).toBe('2 items');
  expect(describeValue(3.5)).toBe('3.5');
});

test('a schema ajv refuses leaves that field unchecked instead of failing every call', () => {
  const validate = createInputValidator(new Map([['Query.a', { properties: { code: { minLength: -1 } } }]]));
  expect(validate('Query.a', { code: '' })).toBeUndefined();
  expect(validate('Query.a', { code: 'x' })).toBeUndefined();
});
