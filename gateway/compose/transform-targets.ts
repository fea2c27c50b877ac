import { validateSchema, type GraphQLSchema } from 'graphql';
import type { SourceTransforms } from '../config/schema';
import { CompositionError } from './errors';
import type { Subgraph } from './subgraph';
import { NO_TRANSFORMS, createSourceNaming, publishedNames } from './transforms';

/**
 * A rename or hide that names nothing is an error, not a no-op: a typo in `hide: [User.emial]`
 * would otherwise publish the field it meant to hide. Checked against the names the transforms
 * give (./transforms publishedNames), not against transformed schemas: two more passes over a
 * large spec's schema cost it ~0.6 s.
 */
export function checkTransformTargets(path: string, transforms: SourceTransforms, subgraph: Subgraph): void {
  if (!hasConfigTransforms(transforms)) return;
  // Renames are keyed by naming-rule names: check them against the names without config renames.
  const named = publishedNames(subgraph.schema, createSourceNaming(subgraph.naming, NO_TRANSFORMS).renamer);
  for (const type of Object.keys(transforms.rename.types)) {
    if (!named.has(type)) throw new CompositionError(`${path}.rename.types.${type}`, missing(named, type, subgraph.name));
  }
  for (const coordinate of Object.keys(transforms.rename.fields)) {
    if (!hasCoordinate(named, coordinate)) {
      throw new CompositionError(`${path}.rename.fields[${JSON.stringify(coordinate)}]`, missing(named, coordinate, subgraph.name));
    }
  }
  // Hides use public names; check them against the names before hiding (with the renames applied).
  const renamed = publishedNames(subgraph.schema, createSourceNaming(subgraph.naming, transforms).renamer);
  transforms.hide.forEach((entry, i) => {
    const found = entry.includes('.') ? hasCoordinate(renamed, entry) : renamed.has(entry);
    if (!found) throw new CompositionError(`${path}.hide[${i}]`, missing(renamed, entry, subgraph.name));
  });
}

type Names = Map<string, string[] | undefined>;

function hasCoordinate(names: Names, coordinate: string): boolean {
  const [typeName, fieldName] = coordinate.split('.');
  return names.get(typeName)?.includes(fieldName) ?? false;
}

function missing(names: Names, name: string, source: string): string {
  const typeName = name.split('.')[0];
  const fields = names.get(typeName);
  if (name.includes('.') && fields) return `source "${source}" has no field ${name} (${typeName} has ${fields.join(', ')})`;
  return `source "${source}" has no type ${typeName}`;
}

function hasConfigTransforms({ rename, hide }: SourceTransforms): boolean {
  return Object.keys(rename.types).length > 0 || Object.keys(rename.fields).length > 0 || hide.length > 0;
}

/**
 * Hides can leave an invalid schema (a field an interface requires); say which config entry did.
 * Naming rules alone leave a valid one, so a source without config transforms is not transformed here.
 */
export function checkPublicSchema(path: string, transforms: SourceTransforms, publicSubschema: { transformedSchema: GraphQLSchema }): void {
  if (!hasConfigTransforms(transforms)) return;
  const problems = validateSchema(publicSubschema.transformedSchema);
  if (problems.length === 0) return;
  const culprit = transforms.hide.length ? `${path}.hide` : path;
  throw new CompositionError(culprit, `the resulting schema is invalid: ${problems.map((p) => p.message).join('; ')}`);
}
