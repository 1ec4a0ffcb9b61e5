/**
 * A one-line progress bar on a terminal's stderr (redrawn with \r); nothing at all when stderr is
 * not a terminal, so logs and pipes only get the per-file lines.
 */
export interface ProgressBar {
  update(done: number, total: number, label: string): void;
  /** Clears the bar's line so the next output starts clean. */
  clear(): void;
}

export function terminalProgressBar(stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  if (!stream.isTTY) return { update() { /* not a terminal */ }, clear() { /* not a terminal */ } };
  let drawn = false;
  return {
    update(done, total, label) {
      const cols = stream.columns || 80;
      const width = Math.max(10, Math.min(40, cols - 40));
      const filled = total ? Math.round((done / total) * width) : 0;
      const count = `${done}/${total}`;
      const room = Math.max(0, cols - width - count.length - 6);
      const name = label.length > room ? `…${label.slice(label.length - room + 1)}` : label;
      stream.write(`\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${count} ${name}`);
      drawn = true;
    },
    clear() {
      if (drawn) stream.write('\r\x1b[2K');
      drawn = false;
    },
  };
}
