/** Applicants: file a seal application with its impression image, and follow the unit's applications. */
import { useEffect, useState, type FormEvent, type ReactElement } from 'react';
import { SEAL_KINDS, type ApplicationView, type SealKind } from '../api/contract';
import { api } from './api';
import type { ViewProps } from './App';
import { WORDS, type Lang } from './i18n';
import { MAX_IMPRESSION_KB, checkImpressionFile, type ImpressionCheck } from './impression-file';
import { ApplicationCard } from './ApplicationCard';

const today = (): string => new Date().toISOString().slice(0, 10);
const inYears = (n: number): string => { const d = new Date(); d.setFullYear(d.getFullYear() + n); return d.toISOString().slice(0, 10); };

export function kindName(lang: Lang, k: SealKind): string { return SEAL_KINDS[k][lang]; }

export function ApplicationsView({ lang, session, onApiError }: ViewProps): ReactElement {
  const w = WORDS[lang];
  const [sealName, setSealName] = useState('');
  const [kind, setKind] = useState<SealKind>('04');
  const [keeper, setKeeper] = useState('');
  const [widthMm, setWidthMm] = useState(40);
  const [heightMm, setHeightMm] = useState(40);
  const [validFrom, setValidFrom] = useState(today);
  const [validTo, setValidTo] = useState(() => inYears(3));
  const [note, setNote] = useState('');
  const [image, setImage] = useState<ImpressionCheck | undefined>();
  const [message, setMessage] = useState<{ text: string; error: boolean } | undefined>();
  const [busy, setBusy] = useState(false);
  const [list, setList] = useState<ApplicationView[] | undefined>();
  // A new key empties the file input after filing, so that picking the same file again is seen.
  const [fileKey, setFileKey] = useState(0);

  const load = (): void => { api.applications().then((r) => setList(r.applications), (e) => setMessage({ text: w.failed(onApiError(e)), error: true })); };
  useEffect(load, []);

  const pick = async (file: File | undefined): Promise<void> => {
    if (image?.ok) URL.revokeObjectURL(image.previewUrl);
    setImage(file ? await checkImpressionFile(file) : undefined);
  };

  const imageProblem = image && !image.ok
    ? image.problem === 'not_png' ? w.imageNotPng : image.problem === 'too_large' ? w.imageTooLarge(image.kb, MAX_IMPRESSION_KB) : w.imageUnreadable
    : undefined;

  const submit = async (ev: FormEvent): Promise<void> => {
    ev.preventDefault();
    const missing = !sealName.trim() ? w.sealName : !keeper.trim() ? w.keeperName : !image?.ok ? w.impression : undefined;
    if (missing) { setMessage({ text: imageProblem ?? w.missing(missing), error: true }); return; }
    if (!(validTo > validFrom)) { setMessage({ text: w.validityOrder, error: true }); return; }
    if (!image?.ok) return;
    setBusy(true);
    setMessage(undefined);
    try {
      const a = await api.createApplication({
        sealName: sealName.trim(), kind, keeper: { name: keeper.trim() },
        impression: { png: image.base64, widthMm, heightMm },
        validFrom: new Date(`${validFrom}T00:00:00`).toISOString(), validTo: new Date(`${validTo}T23:59:59`).toISOString(),
        ...(note.trim() ? { note: note.trim() } : {}),
      });
      setMessage({ text: w.submitted(a.id), error: false });
      setSealName(''); setKeeper(''); setNote(''); void pick(undefined); setFileKey((k) => k + 1);
      load();
    } catch (e) {
      setMessage({ text: w.failed(onApiError(e)), error: true });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="columns">
      <form className="card form" onSubmit={(e) => void submit(e)} data-testid="application-form">
        <h2>{w.newApplication}</h2>
        <p className="muted">{w.unit}：{session.unitName ?? '—'}</p>
        <label>{w.sealName}<input value={sealName} maxLength={64} onChange={(e) => setSealName(e.target.value)} data-testid="app-seal-name" /></label>
        <label>{w.kind}
          <select value={kind} onChange={(e) => setKind(e.target.value as SealKind)} data-testid="app-kind">
            {(Object.keys(SEAL_KINDS) as SealKind[]).map((k) => <option key={k} value={k}>{kindName(lang, k)}</option>)}
          </select>
        </label>
        <label>{w.keeperName}<input value={keeper} maxLength={64} onChange={(e) => setKeeper(e.target.value)} data-testid="app-keeper" /></label>
        <div className="field">
          <span>{w.impression}</span>
          <label className="file-button">{w.chooseImage}
             <input key={fileKey} type="file" accept="image/png" onChange={(e) => void pick(e.target.files?.[0])} data-testid="app-impression" />
          </label>
          <span className="muted">{w.impressionHint(MAX_IMPRESSION_KB)}</span>
          {image?.ok
            ? <img className="preview" src={image.previewUrl} alt={w.impression} data-testid="app-preview" data-width={image.widthPx} />
            : <span className={imageProblem ? 'error' : 'muted'} data-testid="app-image-problem">{imageProblem ?? w.noImage}</span>}
        </div>
        <div className="row">
          <span>{w.sizeMm}</span>
          <label>{w.width}<input type="number" min={5} max={100} value={widthMm} onChange={(e) => setWidthMm(Number(e.target.value))} /></label>
          <label>{w.height}<input type="number" min={5} max={100} value={heightMm} onChange={(e) => setHeightMm(Number(e.target.value))} /></label>
        </div>
        <div className="row">
          <label>{w.validFrom}<input type="date" value={validFrom} onChange={(e) => setValidFrom(e.target.value)} data-testid="app-valid-from" /></label>
          <label>{w.validTo}<input type="date" value={validTo} onChange={(e) => setValidTo(e.target.value)} data-testid="app-valid-to" /></label>
        </div>
        <label>{w.note}<textarea value={note} maxLength={512} rows={2} onChange={(e) => setNote(e.target.value)} /></label>
        {message && <p className={message.error ? 'error' : 'ok'} role={message.error ? 'alert' : 'status'} data-testid="app-message">{message.text}</p>}
        <button type="submit" className="primary" disabled={busy || (image !== undefined && !image.ok)} data-testid="app-submit">{busy ? w.submitting : w.submit}</button>
      </form>
      <section className="list">
        <h2>{w.myApplications}</h2>
        {list === undefined ? <p className="muted">{w.loading}</p> : list.length === 0 ? <p className="muted">{w.none}</p>
          : list.map((a) => <ApplicationCard key={a.id} lang={lang} a={a} />)}
      </section>
    </div>
  );
}
