// Lets icebird (which reads tables over HTTP with fetch) read tables on the local disk.
//
// installLocalFetch(rewrite) replaces globalThis.fetch with one that serves absolute paths and
// file: URLs from the filesystem, honouring HEAD and Range requests as hyparquet uses them.
// `rewrite(path)` may map a stored path onto the real one (the fixtures under tests/data/iceberg
// store paths relative to another project's root, as a moved table does).
import { open, readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

function toPath(url) {
  const text = typeof url === 'string' ? url : url.url ?? String(url);
  if (text.startsWith('file:')) return fileURLToPath(text);
  return text;
}

export function installLocalFetch(rewrite = (path) => path) {
  globalThis.fetch = async (url, init = {}) => {
    const path = rewrite(toPath(url));
    let info;
    try {
      info = await stat(path);
    } catch {
      return new Response(null, { status: 404, statusText: `not found: ${path}` });
    }
    const method = (init.method ?? 'GET').toUpperCase();
    if (method === 'HEAD') {
      return new Response(null, { status: 200, headers: { 'content-length': String(info.size) } });
    }
    const headers = new Headers(init.headers ?? {});
    const range = headers.get('range');
    if (!range) return new Response(await readFile(path), { status: 200 });
    const match = /^bytes=(\d+)-(\d*)$/.exec(range);
    if (!match) return new Response(null, { status: 416 });
    const start = Number(match[1]);
    const end = match[2] === '' ? info.size - 1 : Math.min(Number(match[2]), info.size - 1);
    const length = Math.max(0, end - start + 1);
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, start);
      return new Response(buffer, {
        status: 206,
        headers: { 'content-range': `bytes ${start}-${end}/${info.size}` },
      });
    } finally {
      await handle.close();
    }
  };
}
