/**
 * A tiny static server for the demo page. It sends the cross-origin isolation headers (COOP/COEP), so the
 * page gets SharedArrayBuffer and the wasm backend runs with threads.
 *
 *   node examples/browser/serve.mjs [--port 8080] [--host 127.0.0.1] [--no-isolation] [--models DIR]
 *
 * Serves the built page (examples/browser/dist) at / and the model directories at /models/ (default: the
 * package's assets/ folder, so the embedded model is at /models/a-si-30-sw-300K/).
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Default directory served at /models/. */
export const DEFAULT_MODELS = resolve(here, '../../assets');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.csv': 'text/csv',
  '.png': 'image/png',
};

/**
 * Starts the server. `isolated: false` leaves out COOP/COEP (to compare wasm speed without threads).
 * @param {{ root?: string, models?: string, port?: number, host?: string, isolated?: boolean }} [options]
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export function startDemoServer({ root = join(here, 'dist'), models = DEFAULT_MODELS, port = 8080, host = '127.0.0.1', isolated = true } = {}) {
  const mounts = [
    ['/models/', resolve(models)],
    ['/', resolve(root)],
  ];
  const server = createServer((req, res) => {
    const headers = { 'Cache-Control': 'no-store' };
    if (isolated) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
      headers['Cross-Origin-Resource-Policy'] = 'same-origin';
    }
    let path;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400, headers).end('bad request');
      return;
    }
    const [prefix, dir] = mounts.find(([p]) => path.startsWith(p));
    let file = resolve(dir, '.' + sep + path.slice(prefix.length));
    if (file !== dir && !file.startsWith(dir + sep)) {
      res.writeHead(403, headers).end('forbidden');
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end(`not found: ${path}`);
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': statSync(file).size });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      const actual = typeof address === 'object' && address ? address.port : port;
      resolvePromise({
        url: `http://${host}:${actual}/`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const value = (flag, fallback) => {
    const i = args.indexOf(flag);
    return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
  };
  const root = join(here, 'dist');
  if (!existsSync(join(root, 'main.js'))) {
    console.error('examples/browser/dist/main.js is missing: run `npm run demo:browser` (or `node examples/browser/build.mjs`) first.');
    process.exit(1);
  }
  const { url } = await startDemoServer({
    root,
    models: value('--models', DEFAULT_MODELS),
    port: Number(value('--port', '8080')),
    host: value('--host', '127.0.0.1'),
    isolated: !args.includes('--no-isolation'),
  });
  console.log(`repap demo: ${url}  (cross-origin isolation ${args.includes('--no-isolation') ? 'off' : 'on'}; Ctrl-C stops)`);
}
