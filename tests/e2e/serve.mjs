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

/** The directory and path a URL path maps to: the first matching mount (`{ '/prefix/': dir }`), else
 * `root`. */
function locate(root, mounts, path) {
  for (const [prefix, dir] of Object.entries(mounts)) {
    if (path.startsWith(prefix)) return [dir, path.slice(prefix.length - 1)];
  }
  return [root, path];
}

/**
 * Serves `root` on a free port; resolves to { url, requests, close }. `pages` adds HTML pages by
 * path ({ '/post.html': html }); `mounts` maps URL prefixes to other directories (the benchmark
 * serves TensorFlow.js from node_modules this way, so it never enters dist/); `headers` are added to
 * every file response (the benchmark's step profile asks for cross-origin isolation, under which
 * the browser's clock is 5 µs fine instead of 100 µs).
 */
export function serve(root, { pages = {}, mounts = {}, headers = {} } = {}) {
  const requests = [];
  const server = createServer(async (req, res) => {
    requests.push(req.url);
    const urlPath = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    if (Object.hasOwn(pages, urlPath)) {
      res.writeHead(200, { 'Content-Type': TYPES['.html'], 'Content-Security-Policy': CSP });
      res.end(pages[urlPath]);
      return;
    }
    const [dir, path] = locate(root, mounts, urlPath);
    const file = join(dir, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(dir)) {
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
        ...headers,
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
