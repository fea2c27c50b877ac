#!/usr/bin/env node
// `npx tessera` works right after `npm ci`, with no build step to forget: the first start compiles
// the TypeScript (bin/compiled.cjs) and later ones reuse it; if it cannot be compiled, tsx runs it.
// graphql-js runs extra development checks on every type test unless NODE_ENV is production; the
// gateway binary defaults to production (set NODE_ENV=development to get them back).
process.env.NODE_ENV ??= 'production';
const compiled = require('./compiled.cjs').compiledGateway();
if (!compiled) require('tsx/cjs');
const cli = compiled ? `${compiled}/gateway/cli/main.js` : '../gateway/cli/main.ts';
require(cli).main(process.argv).catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
});
