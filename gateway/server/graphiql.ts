import type { GraphiQLOptions, Plugin } from 'graphql-yoga';
import { version as graphiqlVersion } from '@graphql-yoga/render-graphiql/package.json';

/**
 * GraphiQL without a CDN. yoga's default page loads its assets from unpkg, which offline and
 * locked-down networks cannot reach; the same assets ship inside @graphql-yoga/render-graphiql.
 * That package would inline all 9 MB into every page load, so the page stays small here and the
 * assets are served once from versioned, immutable URLs the browser caches.
 */
type Assets = typeof import('@graphql-yoga/render-graphiql/graphiql');

const ASSET_FILES: Record<string, { type: string; pick: (a: Assets) => string }> = {
  'graphiql.js': { type: 'text/javascript', pick: (a) => a.js },
  'graphiql.css': { type: 'text/css', pick: (a) => a.css },
  'editorWorkerService.worker.js': { type: 'text/javascript', pick: (a) => a.editorWorkerService },
  'json.worker.js': { type: 'text/javascript', pick: (a) => a.jsonWorker },
  'graphql.worker.js': { type: 'text/javascript', pick: (a) => a.graphqlWorker },
};

function assetsBase(graphqlPath: string): string {
  return `${graphqlPath}/_graphiql/${graphiqlVersion}`;
}

/** Serves the GraphiQL assets; loaded on first use so start-up never pays for them. */
export function useGraphiQLAssets(graphqlPath: string): Plugin {
  const base = `${assetsBase(graphqlPath)}/`;
  let assets: Assets | undefined;
  return {
    onRequest({ url, endResponse, fetchAPI }) {
      if (!url.pathname.startsWith(base)) return;
      const file = ASSET_FILES[url.pathname.slice(base.length)];
      if (!file) {
        endResponse(new fetchAPI.Response('Not found', { status: 404 }));
        return;
      }
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily: 9 MB of strings
      assets ??= require('@graphql-yoga/render-graphiql/graphiql') as Assets;
      endResponse(
        new fetchAPI.Response(file.pick(assets), {
          headers: { 'content-type': `${file.type}; charset=utf-8`, 'cache-control': 'public, max-age=31536000, immutable' },
        }),
      );
    },
  };
}

/** The page yoga serves at the GraphQL path to browsers; the same shape as yoga's own page. */
export function renderLocalGraphiQL(graphqlPath: string): (options: GraphiQLOptions) => string {
  const base = assetsBase(graphqlPath);
  return (options) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(options.title ?? 'Tessera GraphiQL')}</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="${base}/graphiql.css" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run GraphiQL.</noscript>
    <div id="root"></div>
    <script>
      self['MonacoEnvironment'] = {
        globalAPI: false,
        getWorkerUrl: function (moduleId, label) {
          return '${base}/' + label + '.worker.js';
        },
      };
    </script>
    <script src="${base}/graphiql.js"></script>
    <script>
      YogaGraphiQL.renderYogaGraphiQL(document.querySelector('#root'), ${JSON.stringify(options).replace(/</g, '\\u003c')});
    </script>
  </body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
}
