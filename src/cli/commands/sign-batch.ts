import path from 'node:path';
import { batchInputs, stampBatch, type BatchFileResult } from '../../core/app/batch-stamping';
import type { Placement } from '../../core/sign';
import { appContext, pinPrompt, pinSource } from '../context';
import { terminalProgressBar } from '../progress-bar';
import { usageError } from '../output';

/**
 * `sealdesk sign --batch LIST|DIR -o OUTDIR`: one line per document (or one JSON object a line with
 * --json), a progress bar on a terminal, a summary at the end. Exit 0 when every document is stamped
 * (or was already), 1 when any failed or the batch stopped early.
 */
export async function signBatchCommand(values: { batch: string; output?: string; token?: string; seal?: string; tsa?: string; json?: boolean; module?: string; 'pin-stdin'?: boolean }, placement: Placement): Promise<number> {
  if (!values.output) throw usageError('批量签章需要 -o 输出目录', 'a batch needs -o OUTDIR');
  const inputs = batchInputs(values.batch);
  const ctx = appContext(values);
  const pins = pinSource(values);
  const bar = terminalProgressBar();
  const out = (s: string) => { bar.clear(); process.stdout.write(s); };
  const line = (r: BatchFileResult): string => {
    if (values.json) return `${JSON.stringify(r)}\n`;
    const name = path.basename(r.input);
    if (r.status === 'stamped') return `签章成功 / stamped: ${name} → ${r.output}\n`;
    if (r.status === 'skipped') return `已跳过 / skipped: ${name} (${r.note})\n`;
    if (r.status === 'failed') return `签章失败 / failed: ${name} [${r.code}] ${r.zh} / ${r.en}\n`;
    return `未处理 / not attempted: ${name}\n`;
  };
  let done = 0;
  try {
    const s = await stampBatch(ctx, {
      inputs, outDir: values.output, token: values.token, esID: values.seal, placement,
      askPin: (req) => { bar.clear(); return pinPrompt(pins)(req); },
      tsaUrl: values.tsa ?? ctx.config.tsaUrl,
      onStart: ({ total, alreadyDone }) => {
        if (alreadyDone > 0 && !values.json) process.stderr.write(`继续上次中断的批量签章:${alreadyDone}/${total} 已完成 / resuming: ${alreadyDone} of ${total} already done\n`);
        bar.update(0, total, '');
      },
      onBegin: ({ index, total, input }) => bar.update(index, total, path.basename(input)),
      onFile: (r, { total }) => {
        if (r.status !== 'not-attempted' || values.json) out(line(r));
        bar.update(++done, total, path.basename(r.input));
      },
    });
    bar.clear();
    const failed = s.results.filter((r) => r.status === 'failed');
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ summary: { total: s.total, stamped: s.stamped, skipped: s.skipped, failed: s.failed, notAttempted: s.notAttempted, stoppedBy: s.stoppedBy, failedFiles: failed.map((r) => r.input) } })}\n`);
    } else {
      process.stdout.write(`\n合计 ${s.total} 份:签章 ${s.stamped},跳过 ${s.skipped},失败 ${s.failed},未处理 ${s.notAttempted}\n`);
      process.stdout.write(`total ${s.total}: stamped ${s.stamped}, skipped ${s.skipped}, failed ${s.failed}, not attempted ${s.notAttempted}\n`);
      for (const r of failed) process.stdout.write(`  ✗ ${r.input} [${r.code}]\n`);
      if (s.stoppedBy) process.stdout.write(`批量签章已中止 / batch stopped: [${s.stoppedBy.code}] ${s.stoppedBy.zh} / ${s.stoppedBy.en}\n再次运行同一命令可继续 / run the same command again to resume\n`);
    }
    return s.failed > 0 || s.notAttempted > 0 ? 1 : 0;
  } finally {
    bar.clear();
    pins.dispose();
  }
}
