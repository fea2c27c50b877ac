#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's require hook: `npx tessera` works right after `npm ci`,
// with no build step to forget.
require('tsx/cjs');
require('../gateway/cli/main.ts').main(process.argv).catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
});
