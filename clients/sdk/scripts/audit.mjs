// graphql-http's server audit against a running server: `node scripts/audit.mjs http://127.0.0.1:8000/graphql`.
// Prints every audit and exits 1 when a MUST fails or a SHOULD is missed (graphql-http's own verdicts).
import { serverAudits } from 'graphql-http';

export async function audit(url) {
  const results = [];
  for (const a of serverAudits({ url, fetchFn: fetch })) {
    results.push({ id: a.id, name: a.name, ...(await a.fn()) });
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await audit(process.argv[2] ?? 'http://127.0.0.1:8000/graphql');
  let bad = 0;
  for (const r of results) {
    const ok = r.status === 'ok';
    if (!ok && (r.name.startsWith('MUST') || r.name.startsWith('SHOULD'))) bad += 1;
    console.log(`${r.status.padEnd(7)} ${r.name}${ok ? '' : `\n        ${r.reason}`}`);
  }
  console.log(`${results.filter((r) => r.status === 'ok').length} ok, ${bad} MUST or SHOULD not met`);
  process.exit(bad ? 1 : 0);
}
