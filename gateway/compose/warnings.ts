/** Something in a source that Tessera could not use; the rest of the source still loads. */
export interface CompositionWarning {
  source: string;
  /** JSON pointer into the spec (`#/paths/~1users/get`), or a schema coordinate for GraphQL sources. */
  pointer: string;
  message: string;
}

export type WarningSink = (warning: CompositionWarning) => void;

export function formatWarning(warning: CompositionWarning): string {
  return `source "${warning.source}" ${warning.pointer}: ${warning.message}`;
}
