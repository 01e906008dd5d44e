// What any ltijs storage plugin must honour (ours on PostgreSQL, the benchmark's in memory): the
// collections' identifying fields and lifetimes (MongoDB's unique and TTL indexes), and the
// encryption of secret collections (keys, access tokens): AES-256-CBC with key = sha256(secret),
// stored as {...index, iv, data} with hex iv and hex data.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export type Doc = Record<string, unknown>;

/** The fields that identify a document in each ltijs collection (its unique index in MongoDB). */
export const KEY_FIELDS: Record<string, readonly string[]> = {
  platform: ['platformUrl', 'clientId'],
  platformStatus: ['id'],
  publickey: ['kid'],
  privatekey: ['kid'],
  accesstoken: ['platformUrl', 'clientId', 'scopes'],
  nonce: ['nonce'],
  state: ['state'],
  idtoken: ['iss', 'clientId', 'deploymentId', 'user'],
  contexttoken: ['contextId', 'user'],
};

/** Seconds a document lives; MongoDB enforced these with TTL indexes, plugins enforce them themselves. */
export const LIFETIME_SECONDS: Record<string, number> = {
  idtoken: 24 * 3600,
  contexttoken: 24 * 3600,
  accesstoken: 3600,
  state: 600,
  // A nonce must outlive every id_token that could carry it; ltijs accepts tokens for at most
  // tokenMaxAge seconds after iat, and an hour is far beyond that.
  nonce: 3600,
};

/** A document's key in its collection, when it has every identifying field. */
export function keyOf(collection: string, doc: Doc): string | undefined {
  const fields = KEY_FIELDS[collection];
  if (!fields || fields.some((f) => doc[f] === undefined || doc[f] === null)) return undefined;
  return JSON.stringify(fields.map((f) => doc[f]));
}

function cipherKey(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

export function encryptForLtijs(text: string, secret: string): { iv: string; data: string } {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', cipherKey(secret), iv);
  const data = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return { iv: iv.toString('hex'), data: data.toString('hex') };
}

export function decryptLtijsDoc(doc: Doc, secret: string): Doc {
  const decipher = createDecipheriv('aes-256-cbc', cipherKey(secret), Buffer.from(String(doc.iv), 'hex'));
  const text = Buffer.concat([decipher.update(Buffer.from(String(doc.data), 'hex')), decipher.final()]).toString('utf8');
  return JSON.parse(text) as Doc;
}

/** jsonb (and MongoDB) cannot hold undefined: such fields are dropped. */
export function stripUndefined(doc: Doc): Doc {
  return JSON.parse(JSON.stringify(doc)) as Doc;
}

/** The document as ltijs expects it stored: plain, or the index fields plus the encrypted item. */
export function toStoredDoc(encryptionKey: string | false, item: Doc, index?: Doc): Doc {
  if (!encryptionKey) return stripUndefined(item);
  if (!index) throw new Error('MISSING_PARAMS');
  return { ...stripUndefined(index), ...encryptForLtijs(JSON.stringify(item), encryptionKey) };
}
