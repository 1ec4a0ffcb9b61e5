import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { SealDeskError } from '../errors';

/**
 * Revocation settings kept in the data dir as revocation.json: responders configured per issuing
 * CA (used before, or instead of, what the certificates point at), the bounds of every exchange, and
 * where the cache lives. A missing file means: the certificates' own pointers, default bounds.
 *
 *   { "responders": [{ "issuer": "CN=SealDesk Demo Root", "ocsp": "http://127.0.0.1:8899", "crl": "http://…/ca.crl" }],
 *     "timeoutMs": 5000, "maxResponseBytes": 1048576, "useCertificatePointers": true }
 */
const schema = z.object({
  responders: z.array(z.object({
    /** The issuer's subject as SealDesk prints it ("CN=…,O=…"); omitted: any issuer. */
    issuer: z.string().optional(),
    ocsp: z.string().url().optional(),
    crl: z.string().url().optional(),
  })).default([]),
  timeoutMs: z.number().int().min(100).max(120_000).default(5000),
  maxResponseBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  useCertificatePointers: z.boolean().default(true),
});

export type RevocationConfig = z.infer<typeof schema> & { cacheDir?: string };

export const REVOCATION_CONFIG_FILE = 'revocation.json';
export const REVOCATION_CACHE_DIR = 'revocation-cache';

export function defaultRevocationConfig(): RevocationConfig {
  return schema.parse({});
}

export function loadRevocationConfig(home: string): RevocationConfig {
  const file = path.join(home, REVOCATION_CONFIG_FILE);
  const cacheDir = path.join(home, REVOCATION_CACHE_DIR);
  if (!fs.existsSync(file)) return { ...defaultRevocationConfig(), cacheDir };
  try {
    return { ...schema.parse(JSON.parse(fs.readFileSync(file, 'utf8'))), cacheDir };
  } catch (e) {
    throw new SealDeskError('REVOCATION_CONFIG_INVALID', `吊销检查配置文件无效:${file}`, `The revocation configuration is invalid: ${file}`, { cause: e });
  }
}

/** The responders configured for an issuer (by subject), in the order written. */
export function configuredFor(config: RevocationConfig, issuerSubject: string): { ocsp: string[]; crl: string[] } {
  const hits = config.responders.filter((r) => r.issuer === undefined || r.issuer === issuerSubject);
  return { ocsp: hits.flatMap((r) => (r.ocsp ? [r.ocsp] : [])), crl: hits.flatMap((r) => (r.crl ? [r.crl] : [])) };
}
