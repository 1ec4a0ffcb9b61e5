/**
 * The transparency log for auditors: the latest checkpoint, its signature checked here in the browser
 * against the platform key of the trust bundle, the entries page by page, and for any entry its
 * inclusion proof checked here too: the leaf hash recomputed from the entry's bytes, the proof folded
 * up to the root of the signed checkpoint (src/platform/log, Web Crypto SHA-256). The server's word
 * is not taken for either.
 */
import { useEffect, useState, type ReactElement } from 'react';
import type { LeafView, TrustBundlePayload } from '../api/contract';
import { ApiError, api } from './api';
import type { ViewProps } from './App';
import { WORDS, say, showTime, type Lang } from './i18n';
import { fromBase64, hashLeaf, bytesEqual, toBase64, toHex, verifyConsistency, verifyInclusion, webCryptoSha256 } from '../log/merkle';
import { openCheckpoint, type Checkpoint } from '../log/checkpoint';
import type { NoteVerifier } from '../log/signed-note';
import { isSealDeskError } from '../../core/errors';

const PAGE = 20;

interface CheckedCheckpoint {
  checkpoint?: Checkpoint; note: string; signature: 'ok' | 'bad' | 'not_checked'; why?: string; by?: string;
  /** Against the largest checkpoint this browser saw before (design/platform.md: rollback and forks are detected). */
  consistency?: { result: 'first' | 'same' | 'ok' | 'bad'; text: string };
}

/**
 * Holds a verified checkpoint against the largest one seen before in this browser (localStorage, per
 * log origin): a newer one must come with a consistency proof that verifies here; the same size must
 * have the same root; a smaller one is a rollback. Only a consistent newer checkpoint replaces it.
 */
async function checkConsistency(lang: Lang, c: Checkpoint): Promise<CheckedCheckpoint['consistency']> {
  const w = WORDS[lang];
  const key = `sealdesk-console-checkpoint:${c.origin}`;
  const save = (): void => { try { localStorage.setItem(key, JSON.stringify({ size: c.size, root: toBase64(c.root) })); } catch { /* not kept: checked again next time */ } };
  let seen: { size: number; root: Uint8Array } | undefined;
  try {
    const raw = JSON.parse(localStorage.getItem(key) ?? 'null') as { size?: unknown; root?: unknown } | null;
    const root = typeof raw?.root === 'string' ? fromBase64(raw.root) : undefined;
    if (raw && typeof raw.size === 'number' && root) seen = { size: raw.size, root };
  } catch { seen = undefined; }
  if (!seen) { save(); return { result: 'first', text: w.consistencyFirst(c.size) }; }
  if (seen.size === c.size && bytesEqual(seen.root, c.root)) return { result: 'same', text: w.consistencySame };
  let check: { ok: boolean; zh?: string; en?: string };
  if (seen.size > c.size || seen.size === c.size) {
    check = await verifyConsistency(webCryptoSha256, seen.size, c.size, seen.root, c.root, []);
  } else {
    const p = await api.consistency(seen.size, c.size);
    const proof = p.proof.map(fromBase64);
    check = proof.some((x) => !x) ? { ok: false, zh: 'base64', en: 'base64' } : await verifyConsistency(webCryptoSha256, seen.size, c.size, seen.root, c.root, proof as Uint8Array[]);
  }
  if (!check.ok) return { result: 'bad', text: w.consistencyBad(seen.size, c.size, (lang === 'zh' ? check.zh : check.en) ?? '') };
  save();
  return { result: 'ok', text: w.consistencyOk(seen.size, c.size) };
}

async function checkCheckpoint(lang: Lang, note: string, bundle: TrustBundlePayload): Promise<CheckedCheckpoint> {
  const verifiers: NoteVerifier[] = bundle.platformKeys
    .filter((k) => k.alg === 'ecdsa-p256-sha256')
    .flatMap((k) => { const spki = fromBase64(k.spki); return spki ? [{ key: { name: bundle.logOrigin, type: 'ecdsa-p256' as const, spki } }] : []; });
  if (verifiers.length === 0) return { note, signature: 'not_checked' };
  let opened: Awaited<ReturnType<typeof openCheckpoint>>;
  try {
    opened = await openCheckpoint(webCryptoSha256, note, verifiers, { origin: bundle.logOrigin });
  } catch (e) {
    return { note, signature: 'bad', why: isSealDeskError(e) ? (lang === 'zh' ? e.zh : e.en) : String(e) };
  }
  let consistency: CheckedCheckpoint['consistency'];
  try {
    consistency = await checkConsistency(lang, opened.checkpoint);
  } catch (e) {
    consistency = { result: 'bad', text: WORDS[lang].failed(e instanceof ApiError ? say(lang, e) : String(e)) };
  }
  return { note, checkpoint: opened.checkpoint, signature: 'ok', by: opened.signedBy.join(', '), consistency };
}

type Check = { state: 'busy' } | { state: 'ok' | 'bad'; text: string };

export function LogView({ lang, onApiError }: ViewProps): ReactElement {
  const w = WORDS[lang];
  const [cp, setCp] = useState<CheckedCheckpoint | undefined>();
  const [leaves, setLeaves] = useState<LeafView[] | undefined>();
  const [end, setEnd] = useState<number | undefined>();
  const [checks, setChecks] = useState<Record<number, Check>>({});
  const [error, setError] = useState<string | undefined>();

  const loadCheckpoint = async (): Promise<CheckedCheckpoint | undefined> => {
    try {
      const [view, bundle] = await Promise.all([api.checkpoint(), api.trustBundle()]);
      const checked = await checkCheckpoint(lang, view.checkpoint, JSON.parse(bundle.payload) as TrustBundlePayload);
      setCp(checked);
      return checked;
    } catch (e) {
      setError(w.failed(onApiError(e)));
      return undefined;
    }
  };

  const loadPage = async (pageEnd: number): Promise<void> => {
    const start = Math.max(0, pageEnd - PAGE);
    if (pageEnd <= 0) { setLeaves([]); setEnd(0); return; }
    try {
      const r = await api.leaves(start, pageEnd);
      setLeaves([...r.leaves].reverse());
      setEnd(pageEnd);
    } catch (e) {
      setError(w.failed(onApiError(e)));
    }
  };

  const refresh = async (): Promise<void> => {
    setError(undefined);
    const c = await loadCheckpoint();
    if (c?.checkpoint) await loadPage(c.checkpoint.size);
  };
  useEffect(() => { void refresh(); }, []);

  const check = async (leaf: LeafView): Promise<void> => {
    setChecks((c) => ({ ...c, [leaf.index]: { state: 'busy' } }));
    const done = (state: 'ok' | 'bad', text: string): void => setChecks((c) => ({ ...c, [leaf.index]: { state, text } }));
    try {
      let current = cp;
      if (!current?.checkpoint || leaf.index >= current.checkpoint.size) current = await loadCheckpoint();
      const c = current?.checkpoint;
      if (!current || current.signature !== 'ok' || !c) { done('bad', w.checkpointBad(current?.why ?? '—')); return; }
      if (leaf.index >= c.size) { done('bad', w.notYetInCheckpoint(leaf.index)); return; }
      const data = fromBase64(leaf.data);
      const stated = fromBase64(leaf.leafHash);
      const recomputed = data ? await hashLeaf(webCryptoSha256, data) : undefined;
      if (!recomputed || !stated || !bytesEqual(recomputed, stated)) { done('bad', w.leafChanged(leaf.index)); return; }
      const p = await api.inclusion(leaf.index, c.size);
      const proof = p.proof.map(fromBase64);
      if (proof.some((x) => !x)) { done('bad', w.inclusionBad(leaf.index, 'base64')); return; }
      const r = await verifyInclusion(webCryptoSha256, leaf.index, c.size, recomputed, proof as Uint8Array[], c.root);
      if (r.ok) done('ok', w.inclusionOk(leaf.index, c.size, proof.length));
      else done('bad', w.inclusionBad(leaf.index, lang === 'zh' ? r.zh : r.en));
    } catch (e) {
      done('bad', w.failed(onApiError(e)));
    }
  };

  const c = cp?.checkpoint;
  return (
    <section className="list wide">
      <h2>{w.checkpoint} <button className="link" onClick={() => void refresh()}>{w.refresh}</button></h2>
      {error && <p className="error" role="alert">{error}</p>}
      {cp && (
        <div className="card checkpoint" data-testid="checkpoint" data-signature={cp.signature}>
          {c && <dl>
            <dt>{w.treeSize}</dt><dd data-testid="checkpoint-size">{c.size}</dd>
            <dt>{w.rootHash}</dt><dd><code className="hash">{toHex(c.root)}</code></dd>
            <dt>{w.signedAt}</dt><dd>{showTime(lang, c.time?.toISOString())}</dd>
          </dl>}
          <p className={cp.signature === 'ok' ? 'ok' : cp.signature === 'bad' ? 'error' : 'notice'} data-testid="checkpoint-verdict">
            {cp.signature === 'ok' ? w.checkpointOk(cp.by ?? '') : cp.signature === 'bad' ? w.checkpointBad(cp.why ?? '') : w.checkpointNotChecked}
          </p>
          {cp.consistency && <p className={cp.consistency.result === 'bad' ? 'error alarm' : 'ok'} data-testid="consistency" data-result={cp.consistency.result}>{cp.consistency.text}</p>}
          <p className="muted">{w.keySource}</p>
          <pre className="note">{cp.note}</pre>
        </div>
      )}
      <h2>{w.entries}</h2>
      {leaves === undefined ? <p className="muted">{w.loading}</p> : leaves.length === 0 ? <p className="muted">{w.none}</p> : (
        <table className="leaves" data-testid="leaves">
          <thead><tr><th>{w.index}</th><th>{w.eventType}</th><th>{w.time}</th><th>{w.leafHash}</th><th /></tr></thead>
          <tbody>
            {leaves.map((l) => {
              const k = checks[l.index];
              return (
                <tr key={l.index} data-testid="leaf" data-index={l.index}>
                  <td>{l.index}</td>
                  <td>{w.eventTypes[l.event.type] ?? l.event.type}</td>
                  <td>{showTime(lang, l.event.at)}</td>
                  <td><code className="hash">{toHex(fromBase64(l.leafHash) ?? new Uint8Array()).slice(0, 16)}…</code></td>
                  <td>
                    <button onClick={() => void check(l)} disabled={k?.state === 'busy'} data-testid="check-inclusion">{k?.state === 'busy' ? w.checking : w.checkInclusion}</button>
                    {k && k.state !== 'busy' && <div className={k.state === 'ok' ? 'ok' : 'error'} data-testid="inclusion-result" data-result={k.state}>{k.text}</div>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {end !== undefined && (
        <div className="row pager">
          <button disabled={!c || end >= c.size} onClick={() => void loadPage(Math.min(c?.size ?? 0, end + PAGE))}>{w.previous}</button>
          <button disabled={end - PAGE <= 0} onClick={() => void loadPage(end - PAGE)}>{w.next}</button>
        </div>
      )}
    </section>
  );
}
