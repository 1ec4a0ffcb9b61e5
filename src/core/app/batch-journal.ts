import fs from 'node:fs';
import path from 'node:path';

/**
 * The journal of a batch (OUTDIR/.sealdesk-batch.jsonl): one JSON line before a file is stamped
 * ("start") and one after its output is in place ("done", with the output's hash) or it failed.
 * Each line is fsynced before the next step, so after a crash or a kill the journal tells which
 * outputs are complete; a torn last line is ignored.
 */
export const JOURNAL_NAME = '.sealdesk-batch.jsonl';

export type JournalLine =
  | { at: 'start'; input: string; output: string; inputSha256: string; time: string }
  | { at: 'done'; input: string; output: string; inputSha256: string; outputSha256: string; time: string; recovered?: boolean }
  | { at: 'failed'; input: string; output: string; code: string; time: string };

export interface JournalState {
  /** The last "done" line per output file name. */
  done: Map<string, Extract<JournalLine, { at: 'done' }>>;
  /** Outputs whose stamping started and never reached "done" or "failed". */
  started: Map<string, Extract<JournalLine, { at: 'start' }>>;
}

export class BatchJournal {
  readonly file: string;

  constructor(outDir: string) {
    this.file = path.join(outDir, JOURNAL_NAME);
  }

  read(): JournalState {
    const state: JournalState = { done: new Map(), started: new Map() };
    let text: string;
    try { text = fs.readFileSync(this.file, 'utf8'); } catch { return state; }
    for (const raw of text.split('\n')) {
      let line: JournalLine;
      try { line = JSON.parse(raw) as JournalLine; } catch { continue; }
      if (!line || typeof line.output !== 'string') continue;
      const key = path.basename(line.output);
      if (line.at === 'start') state.started.set(key, line);
      else if (line.at === 'done') { state.done.set(key, line); state.started.delete(key); } else if (line.at === 'failed') state.started.delete(key);
    }
    return state;
  }

  /** Before a run appends: a line torn by a kill is closed, so the next line stands on its own. */
  begin(): void {
    let size = 0;
    try { size = fs.statSync(this.file).size; } catch { return; }
    if (size === 0) return;
    const fd = fs.openSync(this.file, 'r+');
    try {
      const last = Buffer.alloc(1);
      fs.readSync(fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) fs.writeSync(fd, '\n', size);
    } finally {
      fs.closeSync(fd);
    }
  }

  append(line: JournalLine): void {
    const fd = fs.openSync(this.file, 'a', 0o644);
    try {
      fs.writeSync(fd, `${JSON.stringify(line)}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
}
