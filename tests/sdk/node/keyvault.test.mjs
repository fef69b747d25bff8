// Microsoft's JavaScript SDKs against `ppcmk serve`, with challenge resource
// verification ON (the SDK default): run by scripts/test-sdk, which starts the
// server over a prepared store and sets NODE_EXTRA_CA_CERTS and
// AZURE_POD_IDENTITY_AUTHORITY_HOST.
import dns from 'node:dns';
import test from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, createHash, generateKeyPairSync, publicEncrypt, privateDecrypt, constants } from 'node:crypto';

// `<vault>.vault.localhost` may not resolve on this machine (no
// nss-myhostname); every *.localhost name is loopback (RFC 6761).
const systemLookup = dns.lookup;
dns.lookup = (host, options, callback) => {
  if (typeof options === 'function') { callback = options; options = {}; }
  if (/(^|\.)localhost$/i.test(host)) {
    return options && options.all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4);
  }
  return systemLookup(host, options, callback);
};

const { ManagedIdentityCredential, ClientSecretCredential } = await import('@azure/identity');
const { KeyClient, CryptographyClient } = await import('@azure/keyvault-keys');
const { SecretClient } = await import('@azure/keyvault-secrets');

const port = process.env.PPCMK_SERVE_PORT;
const vaultUrl = `https://kv1.vault.localhost:${port}`;
assert.ok(port, 'PPCMK_SERVE_PORT is set by scripts/test-sdk');
assert.ok(process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST, 'the managed-identity endpoint is set');
// Fast pollers: the server makes a deleted object visible at once.
const poll = { intervalInMs: 200 };

const admin = new ManagedIdentityCredential({ clientId: 'admin@contoso.onmicrosoft.com' });
const keys = new KeyClient(vaultUrl, admin);
const secrets = new SecretClient(vaultUrl, admin);
const suffix = randomBytes(3).toString('hex');

test('create, get latest and by version, rotate, list versions', async () => {
  const name = `sdk-key-${suffix}`;
  const key = await keys.createRsaKey(name, { keySize: 2048, tags: { purpose: 'sdk' } });
  assert.equal(key.keyType, 'RSA');
  assert.ok(key.id.startsWith(`${vaultUrl}/keys/${name}/`), key.id);
  assert.equal(key.properties.tags.purpose, 'sdk');
  assert.ok(key.properties.createdOn instanceof Date && key.properties.createdOn.getFullYear() >= 2024);
  const latest = await keys.getKey(name);
  assert.equal(latest.id, key.id);
  const rotated = await keys.rotateKey(name);
  assert.notEqual(rotated.properties.version, key.properties.version);
  const old = await keys.getKey(name, { version: key.properties.version });
  assert.equal(old.id, key.id);
  const versions = [];
  for await (const v of keys.listPropertiesOfKeyVersions(name)) versions.push(v.version);
  assert.deepEqual(versions.sort(), [key.properties.version, rotated.properties.version].sort());
  const names = [];
  for await (const k of keys.listPropertiesOfKeys()) names.push(k.name);
  assert.ok(names.includes(name), names.join());
});

test('update properties and the rotation policy', async () => {
  const name = `sdk-policy-${suffix}`;
  const key = await keys.createRsaKey(name);
  const expiresOn = new Date(Date.now() + 400 * 86400 * 1000);
  expiresOn.setMilliseconds(0);
  const updated = await keys.updateKeyProperties(name, key.properties.version, { expiresOn, tags: { stage: 'updated' } });
  assert.equal(updated.properties.expiresOn.getTime(), expiresOn.getTime());
  assert.equal(updated.properties.tags.stage, 'updated');
  const disabled = await keys.updateKeyProperties(name, { enabled: false });
  assert.equal(disabled.properties.enabled, false);
  await keys.updateKeyProperties(name, { enabled: true });
  const policy = await keys.updateKeyRotationPolicy(name, {
    lifetimeActions: [{ action: 'Rotate', timeAfterCreate: 'P90D' }, { action: 'Notify', timeBeforeExpiry: 'P30D' }],
    expiresIn: 'P1Y',
  });
  assert.equal(policy.expiresIn, 'P1Y');
  const read = await keys.getKeyRotationPolicy(name);
  assert.equal(read.lifetimeActions.length, 2);
  const rotate = read.lifetimeActions.find((a) => a.action === 'Rotate');
  assert.equal(rotate.timeAfterCreate, 'P90D');
  assert.ok(read.id.endsWith(`/keys/${name}/rotationpolicy`), read.id);
});

test('wrap/unwrap and encrypt/decrypt through CryptographyClient', async () => {
  const name = `sdk-crypto-${suffix}`;
  const key = await keys.createRsaKey(name, { keySize: 2048 });
  const crypto = new CryptographyClient(key.id, admin);
  const dek = randomBytes(32);
  const wrapped = await crypto.wrapKey('RSA-OAEP-256', dek);
  assert.equal(wrapped.result.length, 256);
  const unwrapped = await crypto.unwrapKey('RSA-OAEP-256', wrapped.result);
  assert.deepEqual(Buffer.from(unwrapped.result), dek);
  const encrypted = await crypto.encrypt({ algorithm: 'RSA-OAEP', plaintext: Buffer.from('hello cmk') });
  const decrypted = await crypto.decrypt({ algorithm: 'RSA-OAEP', ciphertext: encrypted.result });
  assert.equal(Buffer.from(decrypted.result).toString(), 'hello cmk');
  // Sign reaches the server; verify is checked against the server's verify too.
  const digest = createHash('sha256').update('a document').digest();
  for (const algorithm of ['RS256', 'PS256']) {
    const signed = await crypto.sign(algorithm, digest);
    assert.equal(signed.result.length, 256);
    const verified = await crypto.verify(algorithm, digest, signed.result);
    assert.equal(verified.result, true);
    const other = createHash('sha256').update('another document').digest();
    assert.equal((await crypto.verify(algorithm, other, signed.result)).result, false);
  }
});

// node:crypto's JWK members are base64url strings; the SDK's JsonWebKey takes bytes.
const bytes = (s) => Buffer.from(s, 'base64url');
const sdkJwk = (jwk, keyOps) => ({
  kty: 'RSA', keyOps,
  ...Object.fromEntries(['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'].map((k) => [k, bytes(jwk[k])])),
});
const oaep256 = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' };

test('importKey: a node:crypto key, used by the server and by node:crypto alike', async () => {
  const name = `sdk-import-${suffix}`;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  const imported = await keys.importKey(name, sdkJwk(jwk, ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey']), { tags: { source: 'node' } });
  assert.equal(imported.keyType, 'RSA');
  assert.deepEqual(Buffer.from(imported.key.n), bytes(jwk.n));
  assert.equal(imported.key.d, undefined, 'the private part is never echoed');
  assert.deepEqual(imported.keyOperations.sort(), ['decrypt', 'encrypt', 'unwrapKey', 'wrapKey']);
  assert.equal(imported.properties.tags.source, 'node');
  const crypto = new CryptographyClient(imported.id, admin);
  const dek = randomBytes(32);
  // Wrapped by node:crypto with the public key, unwrapped by the server with the imported private key.
  const unwrapped = await crypto.unwrapKey('RSA-OAEP-256', publicEncrypt({ key: publicKey, ...oaep256 }, dek));
  assert.deepEqual(Buffer.from(unwrapped.result), dek);
  // The reverse: wrapped through the SDK, unwrapped by node:crypto with the private key.
  const wrapped = await crypto.wrapKey('RSA-OAEP-256', dek);
  assert.deepEqual(privateDecrypt({ key: privateKey, ...oaep256 }, Buffer.from(wrapped.result)), dek);
  // EC keys are refused by name, as a BadParameter.
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  await assert.rejects(
    keys.importKey(`sdk-ec-${suffix}`, { kty: 'EC', crv: 'P-256', x: bytes(ec.x), y: bytes(ec.y), d: bytes(ec.d) }),
    (e) => e.statusCode === 400 && e.code === 'BadParameter' && /not supported by ppcmk/.test(e.message),
  );
});

test('listPropertiesOfKeys byPage({maxPageSize: 2}) walks every page through nextLink', async () => {
  // Imports are cheap keys: five more, so that there are several pages whatever ran before.
  const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const made = [];
  for (let i = 0; i < 5; i++) {
    made.push((await keys.importKey(`sdk-page-${suffix}-${i}`, sdkJwk(jwk))).name);
  }
  const pages = [];
  for await (const page of keys.listPropertiesOfKeys().byPage({ maxPageSize: 2 })) pages.push(page.map((k) => k.name));
  const all = [];
  for await (const k of keys.listPropertiesOfKeys()) all.push(k.name);
  assert.ok(pages.length >= 3, JSON.stringify(pages));
  assert.ok(pages.every((p) => p.length >= 1 && p.length <= 2), JSON.stringify(pages));
  assert.equal(pages.length, Math.ceil(all.length / 2));
  assert.deepEqual(pages.flat().sort(), all.sort());
  for (const name of made) assert.ok(all.includes(name), name);
  // Versions page too.
  const versionPages = [];
  for await (const page of keys.listPropertiesOfKeyVersions(made[0]).byPage({ maxPageSize: 1 })) versionPages.push(page.length);
  assert.deepEqual(versionPages, [1]);
});

test('soft delete, recover and purge with the SDK pollers', async () => {
  const name = `sdk-del-${suffix}`;
  await keys.createRsaKey(name);
  const deletePoller = await keys.beginDeleteKey(name, poll);
  const deleted = await deletePoller.pollUntilDone();
  assert.equal(deleted.name, name);
  assert.ok(deleted.properties.recoveryId.startsWith(`${vaultUrl}/deletedkeys/${name}`), deleted.properties.recoveryId);
  assert.ok(deleted.properties.deletedOn instanceof Date);
  assert.ok(deleted.properties.scheduledPurgeDate instanceof Date);
  const again = await keys.getDeletedKey(name);
  assert.equal(again.name, name);
  await assert.rejects(keys.getKey(name), (e) => e.statusCode === 404 && e.code === 'KeyNotFound');
  const recoverPoller = await keys.beginRecoverDeletedKey(name, poll);
  const recovered = await recoverPoller.pollUntilDone();
  assert.equal(recovered.name, name);
  assert.equal((await keys.getKey(name)).name, name);
  await (await keys.beginDeleteKey(name, poll)).pollUntilDone();
  await keys.purgeDeletedKey(name);
  await assert.rejects(keys.getDeletedKey(name), (e) => e.statusCode === 404);
});

test('secrets: set, get, delete, purge', async () => {
  const name = `sdk-secret-${suffix}`;
  const set = await secrets.setSecret(name, 's3cr3t value', { contentType: 'password' });
  assert.equal(set.value, 's3cr3t value');
  assert.ok(set.properties.id.startsWith(`${vaultUrl}/secrets/${name}/`), set.properties.id);
  const got = await secrets.getSecret(name);
  assert.equal(got.value, 's3cr3t value');
  assert.equal(got.properties.contentType, 'password');
  const deleted = await (await secrets.beginDeleteSecret(name, poll)).pollUntilDone();
  assert.equal(deleted.name, name);
  await secrets.purgeDeletedSecret(name);
  await assert.rejects(secrets.getSecret(name), (e) => e.statusCode === 404 && e.code === 'SecretNotFound');
});

test('a principal without a data-plane role gets RestError 403', async () => {
  const name = `sdk-403-${suffix}`;
  await keys.createRsaKey(name);
  const noRole = new KeyClient(vaultUrl, new ManagedIdentityCredential({ clientId: 'norole@contoso.onmicrosoft.com' }));
  await assert.rejects(noRole.getKey(name), (e) => {
    assert.equal(e.name, 'RestError');
    assert.equal(e.statusCode, 403);
    assert.equal(e.code, 'Forbidden');
    return true;
  });
});

test('client credentials through MSAL with instance discovery off', async () => {
  const credential = new ClientSecretCredential(process.env.PPCMK_TENANT_ID, '00aa00aa-bb11-cc22-dd33-44ee44ee44ee', 'any-secret', {
    authorityHost: `https://localhost:${port}`,
    disableInstanceDiscovery: true,
  });
  const client = new KeyClient(vaultUrl, credential);
  const names = [];
  for await (const k of client.listPropertiesOfKeys()) names.push(k.name);
  assert.ok(names.length > 0);
});

test('a burst beyond the vault throttle succeeds through the SDK retries (429 + Retry-After)', async () => {
  // kv-throttle allows 20 transactions per 10 s (Set-PpCmkFault -Operation VaultThrottle, in scripts/test-sdk).
  let throttled = 0;
  let retryAfter = null;
  const count429 = {
    name: 'count429',
    async sendRequest(request, next) {
      const response = await next(request);
      if (response.status === 429) {
        throttled += 1;
        retryAfter = response.headers.get('retry-after');
      }
      return response;
    },
  };
  const url = `https://kv-throttle.vault.localhost:${port}`;
  const client = new SecretClient(url, admin, { additionalPolicies: [{ policy: count429, position: 'perRetry' }] });
  await client.setSecret(`burst-${suffix}`, 'value');
  const burst = await Promise.all(Array.from({ length: 30 }, () => client.getSecret(`burst-${suffix}`)));
  assert.equal(burst.length, 30);
  assert.ok(burst.every((s) => s.value === 'value'));
  assert.ok(throttled > 0, 'some requests were answered 429 and retried by the SDK');
  assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 10, `Retry-After ${retryAfter}`);
  // The server counts them too.
  const { get } = await import('node:https');
  const health = await new Promise((resolve, reject) => {
    get(`https://localhost:${port}/ppcmk/health`, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve(JSON.parse(body)));
    }).on('error', reject);
  });
  assert.ok(health.throttled['kv-throttle'] >= throttled, JSON.stringify(health));
});
