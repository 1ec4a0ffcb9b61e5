/**
 * A signature's properties in one dialog: the seal (name, kind, esID, validity, maker, picture), the
 * signature (format, time and where the time comes from) and the certificate chain, signer first,
 * each with subject, issuer, serial, validity, key and signature algorithms and fingerprint. For an
 * unknown signer it offers to trust the root (choosing the root certificate file) and re-verify.
 */
import { useEffect, useRef, useState } from 'react';
import type { Language, SignatureDetails, VerificationReport } from '../api/contract';
import { STATE_WORDS, localTime, sealState, sealTypeName, signatureFormat, timeSourceWords } from '../api/report-wording';
import { call, errorOf } from './api-client';
import { pick, type Strings } from './i18n';

type Signature = VerificationReport['signatures'][number];

interface Props {
  docId: string;
  signature: Signature | undefined;
  t: Strings;
  lang: Language;
  onClose(): void;
  onTrustRoot(): void;
}

export function CertificateDialog({ docId, signature: s, t, lang, onClose, onTrustRoot }: Props) {
  const [details, setDetails] = useState<SignatureDetails | null>(null);
  const [error, setError] = useState('');
  const [picked, setPicked] = useState(0);
  const closeBtn = useRef<HTMLButtonElement>(null);
  useEffect(() => closeBtn.current?.focus(), []);
  useEffect(() => {
    if (!s) return;
    void call('signatureDetails', { docId, field: s.field }).then(setDetails, (e) => setError(pick(lang, errorOf(e))));
  }, [docId, s, lang]);
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    const seal = details?.seal;
    if (!seal || seal.pictureType === 'other') return;
    const u = URL.createObjectURL(new Blob([seal.picture.slice()], { type: `image/${seal.pictureType}` }));
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [details]);
  if (!s) return null;
  const state = sealState(s);
  const chain = details?.certificates ?? [];
  const cert = chain[picked];
  const type = sealTypeName(s.seal?.type);
  const day = (iso: string | undefined) => localTime(iso).slice(0, 10);
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal cert-dialog" role="dialog" aria-modal="true" aria-labelledby="cert-title" data-testid="cert-dialog" onClick={(e) => e.stopPropagation()}>
        <h3 id="cert-title">{t.signatureProperties}</h3>
        <div className={`cert-state state-${state}`} data-state={state}>
          {pick(lang, STATE_WORDS[state])}
        </div>
        <div className="cert-columns">
          <section>
            <h4>{t.sealSection}</h4>
            {url && <img className={`cert-seal-pic${state === 'valid' ? '' : ' not-valid'}`} src={url} alt={s.seal?.name ?? ''} data-testid="cert-seal-picture" />}
            <dl className="props">
              <dt>{t.sealName}</dt>
              <dd>{s.seal?.name ?? '—'}</dd>
              <dt>{t.sealKind}</dt>
              <dd>{type ? pick(lang, type) : '—'}</dd>
              <dt>esID</dt>
              <dd>{s.seal?.esID ?? '—'}</dd>
              <dt>{t.sealValidity}</dt>
              <dd>{s.seal?.validStart || s.seal?.validEnd ? `${day(s.seal?.validStart)} — ${day(s.seal?.validEnd)}` : '—'}</dd>
              <dt>{t.maker}</dt>
              <dd data-testid="cert-maker">{details?.seal?.maker ?? '—'}</dd>
              <dt>{t.format}</dt>
              <dd>{pick(lang, signatureFormat(s.subFilter))}</dd>
              <dt>{t.signingTime}</dt>
              <dd>
                {localTime(s.signingTime)}
                <br />
                <small>{pick(lang, timeSourceWords(s))}</small>
              </dd>
            </dl>
          </section>
          <section>
            <h4>{t.chain}</h4>
            {error && <div className="error">{error}</div>}
            <ol className="chain" data-testid="cert-chain">
              {chain.map((c, i) => (
                <li key={c.sha256}>
                  <button type="button" className={`chain-item${i === picked ? ' selected' : ''}`} onClick={() => setPicked(i)} aria-pressed={i === picked}>
                    {c.subject}
                    {c.trusted && <span className="trusted-badge">{t.trustedRoot}</span>}
                  </button>
                </li>
              ))}
            </ol>
            {cert && (
              <dl className="props" data-testid="cert-details">
                <dt>{t.subject}</dt>
                <dd>{cert.subject}</dd>
                <dt>{t.issuer}</dt>
                <dd>{cert.issuer}</dd>
                <dt>{t.serial}</dt>
                <dd className="mono">{cert.serialNumber}</dd>
                <dt>{t.certValidity}</dt>
                <dd>
                  {localTime(cert.notBefore)} — {localTime(cert.notAfter)}
                </dd>
                <dt>{t.keyAlgorithm}</dt>
                <dd data-testid="cert-key-algorithm">{cert.keyAlgorithm}</dd>
                <dt>{t.signatureAlgorithm}</dt>
                <dd>{cert.signatureAlgorithm}</dd>
                <dt>SHA-256</dt>
                <dd className="mono">{cert.sha256}</dd>
              </dl>
            )}
          </section>
        </div>
        <div className="buttons">
          {state === 'unknown_signer' && (
            <button onClick={onTrustRoot} data-testid="cert-trust-root">
              {t.trustRootAndReverify}
            </button>
          )}
          <button ref={closeBtn} onClick={onClose} data-testid="cert-close">
            {t.close}
          </button>
        </div>
      </div>
    </div>
  );
}
