// Fails when src/gql is stale: regenerates it from ../../schema.graphql and the documents and compares.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const generated = new URL('../src/gql/', import.meta.url).pathname;
const before = mkdtempSync(join(tmpdir(), 'yxg-gql-'));
cpSync(generated, before, { recursive: true });
execFileSync('npx', ['graphql-codegen', '--config', 'codegen.ts', '--silent'], { stdio: 'inherit', cwd: new URL('..', import.meta.url).pathname });
const stale = readdirSync(generated).filter((name) => {
  try {
    return readFileSync(join(generated, name), 'utf8') !== readFileSync(join(before, name), 'utf8');
  } catch {
    return true;
  }
});
rmSync(before, { recursive: true, force: true });
if (stale.length) {
  console.error(`clients/sdk/src/gql was stale (${stale.join(', ')}): regenerated now; commit it (npm run codegen).`);
  process.exit(1);
}
console.log('clients/sdk/src/gql matches schema.graphql and the documents');
