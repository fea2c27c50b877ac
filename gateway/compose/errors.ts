/** The composed schema cannot be built from this config; names the config path to fix. */
export class CompositionError extends Error {
  readonly code = 'COMPOSITION_FAILED';
  constructor(
    /** Path in the config document, e.g. `links["Order.customer"].query`. */
    readonly configPath: string,
    readonly problem: string,
  ) {
    super(`${configPath}: ${problem}`);
    this.name = 'CompositionError';
  }
}
