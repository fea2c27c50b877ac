#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's require hook: `npx tessera` works right after `npm ci`,
// with no build step to forget.
// graphql-js runs extra development checks on every type test unless NODE_ENV is production; the
// gateway binary defaults to production (set NODE_ENV=development to get them back).
process.env.NODE_ENV ??= 'production';
require('tsx/cjs');
require('../gateway/cli/main.ts').main(process.argv).catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
});
