/**
 * 批量签章: several PDFs chosen or dropped, one seal and one placement for all, one PIN; a progress
 * bar with Cancel (stops before the next document), then the list of results. Every rule (one login,
 * the journal, what stops a batch) is core's; this dialog only gathers the choices and shows results.
 */
import { useEffect, useRef, useState } from 'react';
import type { ApiError, BatchOutcome, BatchResultView, DocumentRef, Language, Placement, TokenView } from '../api/contract';
import { api, call, ApiFailure } from './api-client';
import type { Strings } from './i18n';
import { PinDialog } from './PinDialog';

const S = {
  zh: {
    title: '批量签章', files: '待签章文件', choose: '选择文件…', drop: '可将多个 PDF 拖放到这里', remove: '移除', seal: '印章', placement: '位置',
    point: '坐标', keyword: '关键字', page: '页', offset: '偏移 (点)', occurrence: '第几处', outDir: '输出目录', chooseDir: '选择目录…', none: '未选择',
    start: '开始签章', close: '关闭', cancel: '取消', cancelling: '正在取消…', progress: (d: number, n: number) => `已处理 ${d} / ${n}`,
    status: { stamped: '已签章', skipped: '已跳过(此前已完成)', failed: '失败', 'not-attempted': '未处理' } as Record<BatchResultView['status'], string>,
    summary: (o: BatchOutcome) => `共 ${o.total} 份:签章 ${o.stamped},跳过 ${o.skipped},失败 ${o.failed},未处理 ${o.notAttempted}`,
    stopped: '批量签章已中止:', resume: '再次开始可继续(已完成的文件不会重复签章)', noSeal: '请先插入带印章的印章卡',
  },
  en: {
    title: 'Batch stamping', files: 'Documents', choose: 'Choose files…', drop: 'Drop several PDFs here', remove: 'Remove', seal: 'Seal', placement: 'Placement',
    point: 'Coordinates', keyword: 'Keyword', page: 'Page', offset: 'Offset (pt)', occurrence: 'Occurrence', outDir: 'Output folder', chooseDir: 'Choose folder…', none: 'none chosen',
    start: 'Stamp all', close: 'Close', cancel: 'Cancel', cancelling: 'Cancelling…', progress: (d: number, n: number) => `${d} of ${n} done`,
    status: { stamped: 'stamped', skipped: 'skipped (done before)', failed: 'failed', 'not-attempted': 'not attempted' } as Record<BatchResultView['status'], string>,
    summary: (o: BatchOutcome) => `${o.total} documents: stamped ${o.stamped}, skipped ${o.skipped}, failed ${o.failed}, not attempted ${o.notAttempted}`,
    stopped: 'The batch stopped: ', resume: 'Start again to resume (finished documents are not stamped twice)', noSeal: 'Insert a USB-Key with a seal first',
  },
};

type Phase = { kind: 'setup'; error?: string } | { kind: 'pin'; error?: string } | { kind: 'running'; jobId: string; cancelling: boolean } | { kind: 'done'; outcome: BatchOutcome };

const num = (v: string, fallback: number) => (Number.isFinite(Number(v)) && v.trim() !== '' ? Number(v) : fallback);

export function BatchDialog(props: { t: Strings; lang: Language; tokens: TokenView[]; onClose(): void }) {
  const s = S[props.lang];
  const [files, setFiles] = useState<DocumentRef[]>([]);
  const choices = props.tokens.flatMap((tok) => tok.seals.map((seal) => ({ key: `${tok.serial}|${seal.esID}`, tok, seal })));
  const [sealKey, setSealKey] = useState(choices[0]?.key ?? '');
  const [kind, setKind] = useState<'point' | 'keyword'>('keyword');
  const [page, setPage] = useState('1');
  const [x, setX] = useState('300');
  const [y, setY] = useState('400');
  const [keyword, setKeyword] = useState('盖章处');
  const [occurrence, setOccurrence] = useState('1');
  const [dx, setDx] = useState('0');
  const [dy, setDy] = useState('0');
  const [out, setOut] = useState<{ outputId: string; name: string } | null>(null);
  const [phase, setPhase] = useState<Phase>({ kind: 'setup' });
  const [live, setLive] = useState<{ done: number; total: number; results: BatchResultView[] }>({ done: 0, total: 0, results: [] });
  const [dropping, setDropping] = useState(false);
  const poll = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearInterval(poll.current), []);
  const chosen = choices.find((c) => c.key === sealKey) ?? choices[0];
  const message = (e: unknown) => { const err: ApiError | undefined = e instanceof ApiFailure ? e.error : undefined; return err ? `[${err.code}] ${props.lang === 'zh' ? err.zh : err.en}` : String(e); };

  const add = (refs: DocumentRef[]) => setFiles((f) => [...f, ...refs.filter((r) => !f.some((o) => o.name === r.name))]);
  const placement = (): Placement => kind === 'point'
    ? { kind: 'point', page: Math.max(1, Math.round(num(page, 1))), x: num(x, 300), y: num(y, 400) }
    : { kind: 'keyword', text: keyword.trim(), occurrence: occurrence === 'all' ? 'all' : Math.max(1, Math.round(num(occurrence, 1))), ...(num(dx, 0) || num(dy, 0) ? { offset: { dx: num(dx, 0), dy: num(dy, 0) } } : {}) };

  const run = async (pin: Uint8Array) => {
    if (!chosen || !out) return;
    const jobId = `batch-${Date.now().toString(36)}`;
    setPhase({ kind: 'running', jobId, cancelling: false });
    setLive({ done: 0, total: files.length, results: [] });
    poll.current = window.setInterval(() => {
      void call('batchProgress', { jobId }).then((p) => p && setLive(p)).catch(() => undefined);
    }, 150);
    try {
      const outcome = await call('stampBatch', { jobId, docIds: files.map((f) => f.docId), outputId: out.outputId, tokenSerial: chosen.tok.serial, esID: chosen.seal.esID, placement: placement(), pin });
      setPhase({ kind: 'done', outcome });
    } catch (e) {
      setPhase({ kind: 'setup', error: message(e) });
    } finally {
      pin.fill(0);
      window.clearInterval(poll.current);
    }
  };

  if (phase.kind === 'pin' && chosen) {
    return <PinDialog t={props.t} lang={props.lang} tokenLabel={chosen.tok.label} triesLeft={chosen.tok.triesLeft} error={phase.error} onSubmit={(p) => void run(p)} onCancel={() => setPhase({ kind: 'setup' })} />;
  }
  const results = phase.kind === 'done' ? phase.outcome.results : live.results;
  return (
    <div className="modal-backdrop">
      <div className="modal batch-dialog" data-testid="batch-dialog" role="dialog" aria-label={s.title}>
        <h3>{s.title}</h3>
        {phase.kind === 'setup' && (
          <>
            <div
              className={`batch-drop${dropping ? ' dropping' : ''}`}
              data-testid="batch-drop"
              onDragOver={(e) => { e.preventDefault(); e.stopPropagation(); setDropping(true); }}
              onDragLeave={() => setDropping(false)}
              onDrop={(e) => {
                e.preventDefault();
                e.stopPropagation();
                setDropping(false);
                const dropped = [...e.dataTransfer.files];
                void Promise.all(dropped.map((f) => api().openDroppedFile(f))).then((rs) => add(rs.flatMap((r) => (r.ok ? [r.value] : []))));
              }}
            >
              <div className="batch-files-head">
                <strong>{s.files} ({files.length})</strong>
                <button onClick={() => void call('chooseBatchDocuments', {}).then(add)} data-testid="batch-choose">{s.choose}</button>
              </div>
              {files.length === 0 ? <div className="token-meta">{s.drop}</div> : (
                <ul className="batch-files" data-testid="batch-files">
                  {files.map((f) => (
                    <li key={f.docId}>
                      <span>{f.name}</span>
                      <button className="link" onClick={() => setFiles((l) => l.filter((o) => o.docId !== f.docId))}>{s.remove}</button>
                    </li>
                  ))}
                </ul>
              )}
            </div>
            <label>
              {s.seal}
              <select value={sealKey} onChange={(e) => setSealKey(e.target.value)} data-testid="batch-seal">
                {choices.map((c) => <option key={c.key} value={c.key}>{`${c.seal.name} — ${c.tok.label}`}</option>)}
              </select>
            </label>
            {choices.length === 0 && <div className="error">{s.noSeal}</div>}
            <fieldset className="batch-placement">
              <legend>{s.placement}</legend>
              <label className="inline"><input type="radio" checked={kind === 'keyword'} onChange={() => setKind('keyword')} data-testid="batch-kind-keyword" />{s.keyword}</label>
              <label className="inline"><input type="radio" checked={kind === 'point'} onChange={() => setKind('point')} data-testid="batch-kind-point" />{s.point}</label>
              {kind === 'keyword' ? (
                <div className="batch-row">
                  <input value={keyword} onChange={(e) => setKeyword(e.target.value)} data-testid="batch-keyword" aria-label={s.keyword} />
                  <span>{s.occurrence}</span><input className="short" value={occurrence} onChange={(e) => setOccurrence(e.target.value)} data-testid="batch-occurrence" />
                  <span>{s.offset}</span><input className="short" value={dx} onChange={(e) => setDx(e.target.value)} data-testid="batch-dx" /><input className="short" value={dy} onChange={(e) => setDy(e.target.value)} data-testid="batch-dy" />
                </div>
              ) : (
                <div className="batch-row">
                  <span>{s.page}</span><input className="short" value={page} onChange={(e) => setPage(e.target.value)} data-testid="batch-page" />
                  <span>x</span><input className="short" value={x} onChange={(e) => setX(e.target.value)} data-testid="batch-x" />
                  <span>y</span><input className="short" value={y} onChange={(e) => setY(e.target.value)} data-testid="batch-y" />
                </div>
              )}
            </fieldset>
            <div className="batch-row">
              <span>{s.outDir}: <strong data-testid="batch-out">{out?.name ?? s.none}</strong></span>
              <button onClick={() => void call('chooseBatchOutputDir', {}).then((o) => o && setOut(o))} data-testid="batch-choose-out">{s.chooseDir}</button>
            </div>
            {phase.error && <div className="error" role="alert" data-testid="batch-error">{phase.error}</div>}
            <div className="buttons">
              <button onClick={props.onClose}>{s.close}</button>
              <button className="primary" disabled={files.length === 0 || !out || !chosen || (kind === 'keyword' && !keyword.trim())} onClick={() => setPhase({ kind: 'pin' })} data-testid="batch-start">{s.start}</button>
            </div>
          </>
        )}
        {phase.kind === 'running' && (
          <>
            <progress max={live.total || 1} value={live.done} data-testid="batch-progress" />
            <div className="token-meta" data-testid="batch-progress-text">{s.progress(live.done, live.total)}</div>
          </>
        )}
        {phase.kind === 'done' && (
          <div data-testid="batch-summary" data-failed={phase.outcome.failed} data-stamped={phase.outcome.stamped}>
            <strong>{s.summary(phase.outcome)}</strong>
            {phase.outcome.stoppedBy && <div className="error">{s.stopped}[{phase.outcome.stoppedBy.code}] {props.lang === 'zh' ? phase.outcome.stoppedBy.zh : phase.outcome.stoppedBy.en}<br />{s.resume}</div>}
          </div>
        )}
        {results.length > 0 && (
          <table className="batch-results" data-testid="batch-results">
            <tbody>
              {results.map((r, i) => (
                <tr key={i} data-status={r.status}>
                  <td>{r.name}</td>
                  <td className={`status-${r.status}`}>{s.status[r.status]}</td>
                  <td>{r.code ? `[${r.code}] ${props.lang === 'zh' ? r.zh : r.en}` : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {phase.kind === 'running' && (
          <div className="buttons">
            <button disabled={phase.cancelling} onClick={() => { setPhase({ ...phase, cancelling: true }); void call('cancelStamp', { jobId: phase.jobId }); }} data-testid="batch-cancel">
              {phase.cancelling ? s.cancelling : s.cancel}
            </button>
          </div>
        )}
        {phase.kind === 'done' && (
          <div className="buttons">
            <button onClick={() => setPhase({ kind: 'setup' })}>{s.start}</button>
            <button className="primary" onClick={props.onClose} data-testid="batch-close">{s.close}</button>
          </div>
        )}
      </div>
    </div>
  );
}
