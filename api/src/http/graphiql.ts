// GraphiQL, served by Lumen itself: the page loads Yoga's GraphiQL bundle, its styles
// and its editor's workers as same-origin files (taken from @graphql-yoga/render-graphiql,
// which otherwise inlines them into the page), and starts it with graphiql-start.js. So no
// CDN (it works on a network without Internet access) and no inline script: the page holds
// under the admin UI's Content-Security-Policy (securityHeaders.ts), relaxed for styles and
// fonts only. On in development; elsewhere only with LUMEN_GRAPHIQL=true (config.ts).
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GraphiQLOptions, Plugin } from 'graphql-yoga';
import { config } from '../config.ts';
import { contentSecurityPolicy, UI_POLICY } from './securityHeaders.ts';
import { CSRF_HEADER } from './viewer.ts';

/** LUMEN_GRAPHIQL when set; otherwise development only. */
export const graphiqlEnabled = () => config().graphiql ?? config().env === 'development';

/**
 * Sent with every request GraphiQL makes (queries, introspection, subscriptions): a signed-in
 * browser's session cookie counts only with it (http/viewer.ts), as for the admin UI.
 */
export const GRAPHIQL_HEADERS = { [CSRF_HEADER]: '1' };

const ASSETS = '/graphiql/';

/** JSON that cannot end the <script> element it is written into. */
const scriptSafeJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/** Yoga's `renderGraphiQL`: the page only; its options travel as inert JSON for graphiql-start.js. */
export function renderGraphiQL(options: GraphiQLOptions): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Lumen GraphiQL</title>
    <link rel="icon" href="${ASSETS}favicon.ico" />
    <link rel="stylesheet" href="${ASSETS}graphiql.css" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>GraphiQL needs JavaScript.</noscript>
    <div id="root"></div>
    <script type="application/json" id="graphiql-options">${scriptSafeJson({
      ...options,
      title: 'Lumen GraphiQL',
      additionalHeaders: { ...options.additionalHeaders, ...GRAPHIQL_HEADERS },
    })}</script>
    <script src="${ASSETS}graphiql.js"></script>
    <script src="${ASSETS}graphiql-start.js"></script>
  </body>
</html>
`;
}

type Bundle = typeof import('@graphql-yoga/render-graphiql/graphiql');

interface Asset {
  type: string;
  body: (bundle: Bundle) => BodyInit | Promise<BodyInit>;
}

const START = path.join(path.dirname(fileURLToPath(import.meta.url)), 'graphiql-start.js');
const JS = 'text/javascript; charset=utf-8';

const FILES = new Map<string, Asset>(
  Object.entries({
    'graphiql.js': { type: JS, body: (bundle) => bundle.js },
    'graphiql.css': { type: 'text/css; charset=utf-8', body: (bundle) => bundle.css },
    'graphiql-start.js': { type: JS, body: () => fs.readFile(START) },
    // graphiql-start.js names the editor's workers by their Monaco labels.
    'editorWorkerService.worker.js': { type: JS, body: (bundle) => bundle.editorWorkerService },
    'json.worker.js': { type: JS, body: (bundle) => bundle.jsonWorker },
    'graphql.worker.js': { type: JS, body: (bundle) => bundle.graphqlWorker },
    'favicon.ico': {
      type: 'image/x-icon',
      body: (bundle) => new Uint8Array(Buffer.from(bundle.favicon.slice(bundle.favicon.indexOf(',') + 1), 'base64')),
    },
  } satisfies Record<string, Asset>),
);

/** GraphiQL's files under /graphiql/, where GraphiQL is served; null elsewhere. */
export async function handleGraphiqlAsset(request: Request, url: URL): Promise<Response | null> {
  if (!url.pathname.startsWith(ASSETS) || request.method !== 'GET' || !graphiqlEnabled()) return null;
  const asset = FILES.get(url.pathname.slice(ASSETS.length));
  if (!asset) return null;
  // About 9 MB of strings: loaded at the first use only, never in production.
  const bundle = await import('@graphql-yoga/render-graphiql/graphiql');
  return new Response(await asset.body(bundle), { headers: { 'content-type': asset.type, 'cache-control': 'no-cache' } });
}

/** GraphiQL's editor (Monaco) writes inline styles and its CSS embeds data: fonts; scripts stay Lumen's own files. */
const GRAPHIQL_POLICY = contentSecurityPolicy({ ...UI_POLICY, 'style-src': "'self' 'unsafe-inline'", 'font-src': "'self' data:" });

/** Gives Yoga's GraphiQL page (rendered by renderGraphiQL above) its policy. */
export function useGraphiqlPolicy(): Plugin {
  return {
    onResponse({ request, response }) {
      const page =
        response.headers.get('content-type')?.startsWith('text/html') &&
        URL.canParse(request.url) &&
        new URL(request.url).pathname === '/graphql';
      if (page && graphiqlEnabled()) response.headers.set('content-security-policy', GRAPHIQL_POLICY);
    },
  };
}
