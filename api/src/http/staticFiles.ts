// Serves the built admin UI (admin-ui/dist), with index.html for client-side routes.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { config } from '../config.ts';
import { BadRequestError } from './badRequest.ts';

export const UI_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../admin-ui/dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

async function fileResponse(file: string, immutable: boolean): Promise<Response | null> {
  try {
    const body = await fs.readFile(file);
    return new Response(body, {
      headers: {
        'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        'x-content-type-options': 'nosniff',
      },
    });
  } catch {
    return null;
  }
}

export async function handleStatic(request: Request, url: URL, root = UI_DIST): Promise<Response | null> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.pathname);
  } catch {
    throw new BadRequestError('The address is not valid percent-encoding; check the link you followed.');
  }
  const relative = path.normalize(decoded).replace(/^(\.\.[/\\])+/, '');
  const file = path.join(root, relative);
  if (!file.startsWith(root)) return null;
  // Source maps would publish the UI's source: the build makes none, and production serves none.
  if (path.extname(relative) === '.map' && config().env === 'production') return null;
  if (relative !== '/' && path.extname(relative)) {
    return fileResponse(file, relative.startsWith('/assets/'));
  }
  const index = await fileResponse(path.join(root, 'index.html'), false);
  return (
    index ??
    new Response('The admin UI is not built yet. Run `npm run build` (npm start does this), or use GraphQL at /graphql.', {
      status: 503,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    })
  );
}
