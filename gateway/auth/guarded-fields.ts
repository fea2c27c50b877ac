import { getNullableType, isObjectType, type GraphQLSchema } from 'graphql';
import { mapSchema, MapperKind } from '@graphql-tools/utils';
import type { AuthConfig } from '../config/schema';

/**
 * A field a rule may deny must be able to be null: a denied non-null field would null its parent
 * too (`customer: null` for want of `customer.email`), so the public schema declares every
 * guarded field nullable and a denial costs exactly that field.
 */
export function relaxGuardedFields(schema: GraphQLSchema, rules: AuthConfig['rules']): GraphQLSchema {
  const guarded = Object.entries(rules).filter(([, rule]) => rule !== 'allow').map(([target]) => target);
  if (guarded.length === 0) return schema;
  const targets = new Set(guarded);
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field, fieldName, typeName) =>
      targets.has(`${typeName}.${fieldName}`) || (targets.has(typeName) && isObjectType(schema.getType(typeName)))
        ? { ...field, type: getNullableType(field.type) }
        : field,
  });
}
