import { isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';
import { CompositionError } from '../compose/errors';
import type { CacheConfig } from '../config/schema';

/**
 * Every `cache.private` and `cache.ttl` entry must name a type or field of the composed schema: a
 * typo in `private` would otherwise cache a user's data as public, silently.
 */
export function checkCacheCoordinates(config: CacheConfig, schema: GraphQLSchema): void {
  const entries = [
    ...config.private.map((coordinate, i) => ({ coordinate, path: `cache.private[${i}]` })),
    ...Object.keys(config.ttl).map((coordinate) => ({ coordinate, path: `cache.ttl["${coordinate}"]` })),
  ];
  for (const { coordinate, path } of entries) {
    const [typeName, fieldName] = coordinate.split('.');
    const type = schema.getType(typeName);
    if (!type) throw new CompositionError(path, `no type "${typeName}" in the composed schema (names are the public ones, after renames)`);
    if (fieldName === undefined) continue;
    if (!(isObjectType(type) || isInterfaceType(type)) || !type.getFields()[fieldName]) {
      throw new CompositionError(path, `type ${typeName} has no field "${fieldName}" in the composed schema`);
    }
  }
}
