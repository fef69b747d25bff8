// The `serve` section's client (benches/ppcmk/serve.rs runs it from
// target/sdk-node, where scripts/test-sdk installed the Azure SDKs):
// RSA-OAEP-256 unwraps through @azure/keyvault-keys' CryptographyClient with
// 1 and 8 concurrent clients, and GET /keys/{name} beside GET /ppcmk/health
// (the server's floor) with 8 concurrent keep-alive connections.
// Prints one JSON object: per measure, operations per second and p50/p99 in ms.
import dns from 'node:dns';
import https from 'node:https';

const systemLookup = dns.lookup;
dns.lookup = (host, options, callback) => {
  if (typeof options === 'function') { callback = options; options = {}; }
  if (/(^|\.)localhost$/i.test(host)) {
    return options && options.all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4);
  }
  return systemLookup(host, options, callback);
};

const { ManagedIdentityCredential } = await import('@azure/identity');
const { CryptographyClient } = await import('@azure/keyvault-keys');

const port = process.env.PPCMK_SERVE_PORT;
const seconds = Number(process.env.PPCMK_BENCH_SECONDS || '5');
const keyId = process.env.PPCMK_BENCH_KEY_ID;
const wrapped = Buffer.from(process.env.PPCMK_BENCH_WRAPPED, 'base64');
const credential = new ManagedIdentityCredential({ clientId: 'admin@contoso.onmicrosoft.com' });

function stats(latencies, elapsed) {
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { ops: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), n: latencies.length };
}

// `workers` loops of `op` for `seconds`, after a short warm-up.
async function measure(workers, op) {
  for (let i = 0; i < 3; i++) await op(0);
  const latencies = [];
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(seconds * 1e9));
  await Promise.all(Array.from({ length: workers }, async (_, w) => {
    while (process.hrtime.bigint() < end) {
      const t = process.hrtime.bigint();
      await op(w);
      latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }));
  return stats(latencies, Number(process.hrtime.bigint() - start) / 1e9);
}

const result = {};
for (const clients of [1, 8]) {
  // One CryptographyClient per client, as separate application instances would have.
  const crypto = Array.from({ length: clients }, () => new CryptographyClient(keyId, credential));
  result[`unwrap${clients}`] = await measure(clients, async (w) => {
    const r = await crypto[w].unwrapKey('RSA-OAEP-256', wrapped);
    if (r.result.length !== 32) throw new Error('unwrap returned the wrong key');
  });
}

const token = (await credential.getToken('https://vault.azure.net/.default')).token;
const agent = new https.Agent({ keepAlive: true, maxSockets: 8 });
function get(host, path, auth) {
  return new Promise((resolve, reject) => {
    const req = https.request({ host, port, path, agent, headers: auth ? { authorization: `Bearer ${auth}` } : {} }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${path}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}
const keyName = new URL(keyId).pathname.split('/')[2];
const vaultHost = new URL(keyId).hostname;
result.getKey8 = await measure(8, () => get(vaultHost, `/keys/${keyName}?api-version=7.5`, token));
result.health8 = await measure(8, () => get('localhost', '/ppcmk/health'));
agent.destroy();
console.log(JSON.stringify(result));
