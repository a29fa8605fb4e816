// A static server for the built page (dist/) on 127.0.0.1 with the Content-Security-Policy the page
// must live under, for end-to-end tests. Records every request so tests can assert none leaves.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/**
 * Serves `root` on a free port, plus `extra` pages given as {path: html}; resolves to
 * { url, requests, close }.
 */
export function serve(root, extra = {}) {
  const requests = [];
  const server = createServer(async (req, res) => {
    requests.push(req.url);
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    if (Object.hasOwn(extra, path)) {
      res.writeHead(200, { 'Content-Type': TYPES['.html'], 'Content-Security-Policy': CSP });
      res.end(extra[path]);
      return;
    }
    const file = join(root, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Content-Security-Policy': CSP,
        // A sandboxed iframe has an opaque origin: its module scripts and wasm are CORS requests.
        'Access-Control-Allow-Origin': '*',
      });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}`,
        requests,
        close: () => new Promise((r) => server.close(r)),
      });
    });
  });
}
