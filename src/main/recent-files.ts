/**
 * The documents opened lately, newest first (at most ten), for the renderer's 最近文件 list. The
 * paths stay in main: the renderer sees names and positions in the list only. Kept in a small JSON
 * file when one is given (the app's user-data dir), else in memory (the e2e server).
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../core/fs/atomic-write';

const MAX = 10;

export class RecentFiles {
  private list: string[] = [];
  constructor(private readonly file?: string) {
    if (!file) return;
    try {
      const v = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
      if (Array.isArray(v)) this.list = v.filter((p): p is string => typeof p === 'string' && path.isAbsolute(p)).slice(0, MAX);
    } catch {
      // no list yet, or a damaged one: start empty
    }
  }

  remember(filePath: string): void {
    const abs = path.resolve(filePath);
    this.list = [abs, ...this.list.filter((p) => p !== abs)].slice(0, MAX);
    if (this.file) {
      try {
        writeFileAtomic(this.file, Buffer.from(JSON.stringify(this.list)));
      } catch {
        // a list that cannot be saved is only a convenience lost
      }
    }
  }

  /** Names for the renderer, in list order; files that are gone are left out. */
  names(): { index: number; name: string }[] {
    return this.list.flatMap((p, index) => (fs.existsSync(p) ? [{ index, name: path.basename(p) }] : []));
  }

  pathAt(index: number): string | undefined {
    return this.list[index];
  }
}
