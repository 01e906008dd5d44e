// ltijs's encryption contract for its secret collections (keys, access tokens): AES-256-CBC with
// key = sha256(secret), stored as {...index, iv, data} with hex iv and hex data. Any storage
// plugin (ours on PostgreSQL, the benchmark's in memory) must read and write exactly this.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export type Doc = Record<string, unknown>;

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
