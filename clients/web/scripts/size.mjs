// Prints the gzip size of the JavaScript a shopper's page loads: index.html's entry and what it imports statically
// (the console and GraphiQL are separate chunks and pages). Fails above the budget (250 KB gzip).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const BUDGET = 250 * 1024;
const dist = new URL('../dist/', import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(`${dist}.vite/manifest.json`, 'utf8'));
const seen = new Set();
function walk(key) {
  if (seen.has(key)) return;
  seen.add(key);
  for (const dep of manifest[key].imports ?? []) walk(dep);
}
walk('index.html');
let total = 0;
for (const key of seen) {
  const file = manifest[key].file;
  const bytes = gzipSync(readFileSync(dist + file), { level: 9 }).length;
  total += bytes;
  console.log(`${(bytes / 1024).toFixed(1).padStart(7)} KB gzip  ${file}`);
}
console.log(`${(total / 1024).toFixed(1).padStart(7)} KB gzip  shopper pages' JavaScript in all (budget ${BUDGET / 1024} KB)`);
process.exit(total > BUDGET ? 1 : 0);
