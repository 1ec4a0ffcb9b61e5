/**
 * 印模制作: the seal picture from text in a standard layout, or from a scan or photo of the physical
 * impression, with a preview and what was done; saved as a PNG that `seal make --image` takes.
 * The picture is made by core (in the token host); this dialog shows it.
 */
import { useEffect, useState } from 'react';
import type { ApiError, Language, SealPictureSource, SealPictureView } from '../api/contract';
import { call, ApiFailure } from './api-client';

const S = {
  zh: {
    title: '印模制作', fromText: '由文字生成', fromScan: '由扫描件生成', layout: '版式', round: '圆形公章 (42 mm)', oval: '椭圆发票专用章 (40×30 mm)', square: '方形名章 (20 mm)',
    name: '单位名称 / 姓名', purpose: '印章用途', code: '印章编码 (可选)', tax: '纳税人识别号', star: '中心五角星', scan: '扫描件', chooseScan: '选择图片…', size: '尺寸 (毫米)',
    preview: '预览', save: '保存印模…', close: '关闭', saved: (n: string, b: number) => `已保存 ${n} (${Math.ceil(b / 1024)} KB)`, none: '未选择', working: '正在生成…',
  },
  en: {
    title: 'Seal picture', fromText: 'From text', fromScan: 'From a scan', layout: 'Layout', round: 'Round official seal (42 mm)', oval: 'Oval invoice seal (40×30 mm)', square: 'Square name seal (20 mm)',
    name: 'Unit or person', purpose: 'Purpose', code: 'Seal code (optional)', tax: 'Taxpayer number', star: 'Star in the centre', scan: 'Scan', chooseScan: 'Choose image…', size: 'Size (mm)',
    preview: 'Preview', save: 'Save picture…', close: 'Close', saved: (n: string, b: number) => `Saved ${n} (${Math.ceil(b / 1024)} KB)`, none: 'none chosen', working: 'Making…',
  },
};

export function SealPictureDialog(props: { lang: Language; onClose(): void }) {
  const s = S[props.lang];
  const [mode, setMode] = useState<'text' | 'scan'>('text');
  const [layout, setLayout] = useState<'round' | 'oval' | 'square'>('round');
  const [name, setName] = useState('北京演示科技有限公司');
  const [purpose, setPurpose] = useState('合同专用章');
  const [code, setCode] = useState('');
  const [tax, setTax] = useState('');
  const [star, setStar] = useState(true);
  const [scan, setScan] = useState<{ scanId: string; name: string } | null>(null);
  const [w, setW] = useState('42');
  const [h, setH] = useState('42');
  const [view, setView] = useState<SealPictureView | null>(null);
  const [url, setUrl] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  useEffect(() => () => { if (url) URL.revokeObjectURL(url); }, [url]);

  const source = (): SealPictureSource | null => {
    if (mode === 'scan') return scan ? { from: 'scan', scanId: scan.scanId, widthMm: Number(w) || 42, heightMm: Number(h) || Number(w) || 42 } : null;
    return { from: 'text', layout, name, ...(purpose && layout !== 'square' ? { purpose } : {}), ...(code && layout === 'round' ? { code } : {}), ...(tax && layout === 'oval' ? { taxNumber: tax } : {}), ...(layout === 'round' ? { star } : {}) };
  };
  const message = (e: unknown) => { const err: ApiError | undefined = e instanceof ApiFailure ? e.error : undefined; return err ? `[${err.code}] ${props.lang === 'zh' ? err.zh : err.en}` : String(e); };
  const preview = async () => {
    const src = source();
    if (!src) return;
    setBusy(true); setError(''); setNote('');
    try {
      const v = await call('sealPicturePreview', src);
      setView(v);
      setUrl(URL.createObjectURL(new Blob([v.png.slice()], { type: 'image/png' })));
    } catch (e) {
      setError(message(e)); setView(null); setUrl(null);
    } finally {
      setBusy(false);
    }
  };
  const save = async () => {
    const src = source();
    if (!src) return;
    try {
      const r = await call('saveSealPicture', src);
      if (r) setNote(s.saved(r.name, r.bytes));
    } catch (e) {
      setError(message(e));
    }
  };
  return (
    <div className="modal-backdrop">
      <div className="modal seal-picture-dialog" data-testid="seal-picture-dialog" role="dialog" aria-label={s.title}>
        <h3>{s.title}</h3>
        <div className="batch-row">
          <label className="inline"><input type="radio" checked={mode === 'text'} onChange={() => setMode('text')} data-testid="picture-from-text" />{s.fromText}</label>
          <label className="inline"><input type="radio" checked={mode === 'scan'} onChange={() => setMode('scan')} data-testid="picture-from-scan" />{s.fromScan}</label>
        </div>
        <div className="seal-picture-body">
          <div className="seal-picture-form">
            {mode === 'text' ? (
              <>
                <label>{s.layout}
                  <select value={layout} onChange={(e) => setLayout(e.target.value as typeof layout)} data-testid="picture-layout">
                    <option value="round">{s.round}</option><option value="oval">{s.oval}</option><option value="square">{s.square}</option>
                  </select>
                </label>
                <label>{s.name}<input value={name} onChange={(e) => setName(e.target.value)} data-testid="picture-name" /></label>
                {layout !== 'square' && <label>{s.purpose}<input value={purpose} onChange={(e) => setPurpose(e.target.value)} data-testid="picture-purpose" /></label>}
                {layout === 'round' && <label>{s.code}<input value={code} onChange={(e) => setCode(e.target.value)} data-testid="picture-code" /></label>}
                {layout === 'round' && <label className="inline"><input type="checkbox" checked={star} onChange={(e) => setStar(e.target.checked)} />{s.star}</label>}
                {layout === 'oval' && <label>{s.tax}<input value={tax} onChange={(e) => setTax(e.target.value.toUpperCase())} data-testid="picture-tax" /></label>}
              </>
            ) : (
              <>
                <div className="batch-row">
                  <span>{s.scan}: <strong data-testid="picture-scan-name">{scan?.name ?? s.none}</strong></span>
                  <button onClick={() => void call('chooseSealScan', {}).then((r) => r && setScan(r))} data-testid="picture-choose-scan">{s.chooseScan}</button>
                </div>
                <label>{s.size}
                  <span className="batch-row"><input className="short" value={w} onChange={(e) => setW(e.target.value)} data-testid="picture-w" />×<input className="short" value={h} onChange={(e) => setH(e.target.value)} data-testid="picture-h" /></span>
                </label>
              </>
            )}
            <div className="buttons">
              <button onClick={() => void preview()} disabled={busy || !source()} data-testid="picture-preview">{busy ? s.working : s.preview}</button>
            </div>
          </div>
          <div className="seal-picture-preview">
            {url && view ? (
              <>
                <img src={url} alt={s.preview} data-testid="picture-image" data-width-mm={view.widthMm} data-height-mm={view.heightMm} />
                <ul className="picture-steps" data-testid="picture-steps">{view.steps.map((l, i) => <li key={i}>{l}</li>)}</ul>
                {view.warnings.map((wn) => <div key={wn.code} className="tries">[{wn.code}] {props.lang === 'zh' ? wn.zh : wn.en}</div>)}
              </>
            ) : <div className="token-meta">{s.preview}</div>}
          </div>
        </div>
        {error && <div className="error" role="alert" data-testid="picture-error">{error}</div>}
        {note && <div className="token-meta" data-testid="picture-saved">{note}</div>}
        <div className="buttons">
          <button onClick={props.onClose}>{s.close}</button>
          <button className="primary" disabled={!view} onClick={() => void save()} data-testid="picture-save">{s.save}</button>
        </div>
      </div>
    </div>
  );
}
