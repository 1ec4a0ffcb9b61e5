/**
 * Fetching revocation data for chains, before the (offline, synchronous) judgement: for each
 * certificate below its trust anchor, OCSP first (configured responders, then the AIA's), with a
 * fresh nonce; CRLs (configured, then the distribution points, plus delta CRLs) when no OCSP answer
 * checks out. Answers that fail their checks are recorded as the reason, never used. Every exchange
 * is bounded (bounded-http.ts); answers are cached on disk until their nextUpdate.
 */
import type { BilingualText } from '../../api/verification-report';
import { isSealDeskError } from '../errors';
import type { ParsedCertificate } from '../crypto/certificate';
import { boundedFetch } from './bounded-http';
import { certificatePointers } from './certificate-pointers';
import { judgeCrl, parseCrl } from './crl';
import { certificateKey, emptyEvidence, type RevocationEvidence } from './evidence';
import { buildOcspRequest, judgeOcspResponse, ocspResponseCertificates } from './ocsp';
import { RevocationCache } from './revocation-cache';
import { configuredFor, defaultRevocationConfig, type RevocationConfig } from './revocation-config';

export interface CertificateToCheck {
  cert: ParsedCertificate;
  issuer: ParsedCertificate;
}

export interface GatherOptions {
  config?: RevocationConfig;
  now?: Date;
}

const words = (e: unknown): BilingualText => (isSealDeskError(e) ? { zh: e.zh, en: e.en } : { zh: String(e), en: String(e) });

export async function gatherRevocation(items: CertificateToCheck[], o: GatherOptions = {}): Promise<RevocationEvidence> {
  const config = o.config ?? defaultRevocationConfig();
  const now = o.now ?? new Date();
  const cache = config.cacheDir ? new RevocationCache(config.cacheDir) : undefined;
  const pool = emptyEvidence(true);
  const crlDone = new Map<string, boolean>();
  const seen = new Set<string>();
  for (const { cert, issuer } of items) {
    const key = certificateKey(cert);
    if (seen.has(key)) continue;
    seen.add(key);
    const failures: BilingualText[] = [];
    const pointers = config.useCertificatePointers ? certificatePointers(cert.der) : { ocsp: [], crl: [], deltaCrl: [] };
    const configured = configuredFor(config, issuer.subject);
    const ocspUrls = [...new Set([...configured.ocsp, ...pointers.ocsp])];
    const crlUrls = [...new Set([...configured.crl, ...pointers.crl])];
    let proven = false;

    const cachedOcsp = cache?.get('ocsp', key, now);
    if (cachedOcsp && judgeOcspResponse(cachedOcsp.der, { cert, issuer, currentAt: now }).ok) {
      pool.ocsps.push({ der: cachedOcsp.der, source: 'cache', fetchedAt: now });
      proven = true;
    }
    for (const url of proven ? [] : ocspUrls) {
      const req = buildOcspRequest(cert, issuer);
      try {
        const der = await boundedFetch({ url, method: 'POST', body: req.der, contentType: 'application/ocsp-request', accept: 'application/ocsp-response', timeoutMs: config.timeoutMs, maxBytes: config.maxResponseBytes });
        const j = judgeOcspResponse(der, { cert, issuer, nonce: req.nonce, currentAt: now });
        if (!j.ok) { failures.push({ zh: `OCSP ${url}:${j.problem.zh}`, en: `OCSP ${url}: ${j.problem.en}` }); continue; }
        pool.ocsps.push({ der, source: 'fetched', fetchedAt: now, nonce: req.nonce });
        pool.certificates.push(...ocspResponseCertificates(der));
        cache?.put('ocsp', key, { der, fetchedAt: now, nextUpdate: j.finding.nextUpdate });
        proven = j.finding.status !== 'unknown';
        if (proven) break;
      } catch (e) {
        const w = words(e);
        failures.push({ zh: `OCSP ${url}:${w.zh}`, en: `OCSP ${url}: ${w.en}` });
      }
    }
    if (!proven) {
      for (const url of [...crlUrls, ...pointers.deltaCrl]) {
        if (crlDone.get(url)) continue;
        const cached = cache?.get('crl', url, now);
        let der = cached?.der;
        let source: 'cache' | 'fetched' = 'cache';
        if (!der) {
          try {
            der = await boundedFetch({ url, method: 'GET', accept: 'application/pkix-crl', timeoutMs: config.timeoutMs, maxBytes: config.maxResponseBytes });
            source = 'fetched';
          } catch (e) {
            const w = words(e);
            failures.push({ zh: `CRL ${url}:${w.zh}`, en: `CRL ${url}: ${w.en}` });
            continue;
          }
        }
        const parsed = parseCrl(der);
        if (!parsed) { failures.push({ zh: `CRL ${url}：无法解析`, en: `CRL ${url}: cannot be parsed` }); continue; }
        if (parsed.deltaBase === undefined) {
          const j = judgeCrl(parsed, { cert, issuer, currentAt: now });
          if (!j.ok) { failures.push({ zh: `CRL ${url}:${j.problem.zh}`, en: `CRL ${url}: ${j.problem.en}` }); continue; }
        }
        pool.crls.push({ der, source, fetchedAt: now });
        crlDone.set(url, true);
        if (source === 'fetched') cache?.put('crl', url, { der, fetchedAt: now, nextUpdate: parsed.nextUpdate });
      }
    }
    if (failures.length > 0) pool.failures.set(key, failures);
  }
  return pool;
}
