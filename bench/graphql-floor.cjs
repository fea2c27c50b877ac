// What graphql-js alone takes for the least a compose with a cached conversion must do: read the
// converted SDL that `tessera compose` keeps (argv[2], a resilience.specCache/converted/*.json
// file), build a schema from it and print that schema sorted. No gateway code is loaded; bench/
// large-spec.ts runs it in a fresh process with the gateway's node flags, as it runs the gateway,
// so its row is the floor under Tessera's cached row.
const { readFileSync } = require('node:fs');
const { buildASTSchema, lexicographicSortSchema, parse, printSchema } = require('graphql');

const { sdl } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const schema = buildASTSchema(parse(sdl, { noLocation: true }), { assumeValidSDL: true, assumeValid: true });
process.stdout.write(`${printSchema(lexicographicSortSchema(schema)).length}\n`);
