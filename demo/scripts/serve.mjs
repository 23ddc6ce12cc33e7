// A small static server for the built demo (demo/dist by default): correct MIME types (wasm as
// application/wasm, so the page can compile it while it streams), and COOP/COEP headers so the
// page is cross-origin isolated (SharedArrayBuffer, shared wasm memory for threaded kernels).
//
//   node demo/scripts/serve.mjs [dir] [--port 5173] [--host 127.0.0.1] [--no-isolation]
//
// --port 0 picks a free port. The first line on stdout is always `serving <url>`; the page test
// reads it from there.
import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.ico': 'image/x-icon', '.bin': 'application/octet-stream', '.map': 'application/json',
};

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args.splice(i, 2)[1] : fallback;
};
const isolation = !args.includes('--no-isolation');
const port = Number(option('--port', process.env.PORT ?? '5173'));
const host = option('--host', '127.0.0.1');
const positional = args.filter((a) => !a.startsWith('--'));
const root = resolve(positional[0] ?? fileURLToPath(new URL('../dist', import.meta.url)));

try {
  statSync(join(root, 'index.html'));
} catch {
  console.error(`serve: no index.html in ${root}; build the demo first (npm run build:demo)`);
  process.exit(1);
}

const server = createServer((req, res) => {
  const headers = { 'Cache-Control': 'no-cache' };
  if (isolation) {
    headers['Cross-Origin-Opener-Policy'] = 'same-origin';
    headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
  }
  let path;
  try {
    path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  } catch {
    res.writeHead(400, headers).end('bad request');
    return;
  }
  if (path.endsWith('/')) path += 'index.html';
  const file = normalize(join(root, path));
  if (file !== root && !file.startsWith(root + sep)) {
    res.writeHead(403, headers).end('forbidden');
    return;
  }
  let size;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new Error('not a file');
    size = st.size;
  } catch {
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found');
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': size });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
});

server.on('error', (error) => {
  console.error(`serve: ${error.message}${error.code === 'EADDRINUSE' ? ' (try --port 0, or PORT=…)' : ''}`);
  process.exit(1);
});
server.listen(port, host, () => {
  const { port: actual } = server.address();
  console.log(`serving http://${host}:${actual}/ from ${root}${isolation ? ' (cross-origin isolated)' : ' (no COOP/COEP)'}`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
