// Writes a .gz beside each built asset: the API server sends it to clients that accept gzip (aiohttp FileResponse).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const assets = new URL('../dist/assets/', import.meta.url).pathname;
for (const name of readdirSync(assets)) {
  if (!/\.(js|css|svg|json|wasm|ttf)$/.test(name)) continue;
  writeFileSync(join(assets, `${name}.gz`), gzipSync(readFileSync(join(assets, name)), { level: 9 }));
}
