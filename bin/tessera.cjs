#!/usr/bin/env -S node --max-semi-space-size=64 --heap-growing-percent=50
// The heap settings (a young generation where a request's objects die, an old space that grows by
// half its live size: peak RSS -14 to -21 % and less CPU under load, see bench/children.ts) can only
// be given on node's command line, so they are here for `npx tessera`, and in `npm start` and the
// Dockerfile's CMD; a test keeps all of them equal.
// `npx tessera` works right after `npm ci`, with no build step to forget: the first start compiles
// the TypeScript (bin/compiled.cjs) and later ones reuse it; if it cannot be compiled, tsx runs it.
// graphql-js runs extra development checks on every type test unless NODE_ENV is production; the
// gateway binary defaults to production (set NODE_ENV=development to get them back).
process.env.NODE_ENV ??= 'production';
const { compiledGateway, loadCli } = require('./compiled.cjs');
compiledGateway()
  .then((compiled) => {
    if (compiled) return loadCli(compiled);
    require('tsx/cjs');
    return require('../gateway/cli/main.ts');
  })
  .then((cli) => cli.main(process.argv, require('../package.json').version))
  .catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  });
