/** One application as every role sees it: impression, what was asked, its state and decision. */
import type { ReactElement, ReactNode } from 'react';
import { SEAL_KINDS, type ApplicationView } from '../api/contract';
import { api } from './api';
import { WORDS, showDate, showTime, type Lang } from './i18n';

export function ApplicationCard({ lang, a, children }: { lang: Lang; a: ApplicationView; children?: ReactNode }): ReactElement {
  const w = WORDS[lang];
  const d = a.decision;
  return (
    <article className="card application" data-testid="application" data-id={a.id} data-state={a.state}>
      <img className="impression" src={api.impressionUrl(a.id)} alt={w.impression} width={96} height={96} />
      <div className="body">
        <h3>{a.sealName} <span className={`badge state-${a.state}`} data-testid="application-state">{w.appStates[a.state]}</span></h3>
        <dl>
          <dt>{w.applicationNo(a.id)}</dt><dd>{w.filedBy(a.applicant, showTime(lang, a.filedAt))}</dd>
          <dt>{w.unit}</dt><dd>{a.unitName}</dd>
          <dt>{w.kind}</dt><dd>{SEAL_KINDS[a.kind][lang]}</dd>
          <dt>{w.keeperName}</dt><dd>{a.keeper.name}</dd>
          <dt>{w.validity}</dt><dd>{showDate(lang, a.validFrom)} — {showDate(lang, a.validTo)}</dd>
          <dt>{w.sizeMm}</dt><dd>{a.impression.widthMm} × {a.impression.heightMm}</dd>
          {a.note && <><dt>{w.note}</dt><dd>{a.note}</dd></>}
          {d && <><dt>{d.decision === 'approve' ? w.approve : w.reject}</dt><dd data-testid="application-decision">{w.decisionBy(d.decision === 'approve' ? w.appStates.approved : w.appStates.rejected, d.actor, showTime(lang, d.decidedAt))}{lang === 'zh' ? '，' : '; '}{w.reason}{lang === 'zh' ? '：' : ': '}{d.reason}</dd></>}
          {a.esID && <><dt>{w.esID}</dt><dd>{a.esID}</dd></>}
        </dl>
        {children}
      </div>
    </article>
  );
}
