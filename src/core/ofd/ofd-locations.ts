/**
 * ST_Loc resolution (GB/T 33190 §7.1): a location starting with "/" is absolute from the package
 * root; any other is relative to the directory of the part that names it (ofdrw's ResourceLocator
 * does the same). Results are ZIP entry names (no leading "/").
 *
 * Some writers put root-relative paths without the leading "/" ("Doc_0/Signs/Sign_0/Signature.xml"
 * inside Doc_0/Signs/Signatures.xml) or paths relative to the document's directory. `locate` tries
 * those readings too, but when two readings name different existing entries it reports the location
 * as ambiguous instead of picking one: a hash checked on one file while a reader shows the other is
 * exactly what a forger would arrange.
 */

/** The directory of an entry name, "" for the root. */
export function dirOf(entry: string): string {
  const slash = entry.lastIndexOf('/');
  return slash < 0 ? '' : entry.slice(0, slash);
}

/** Resolves `loc` against `baseDir`; undefined when it is empty, uses backslashes or climbs above the root. */
export function resolveLoc(loc: string, baseDir: string): string | undefined {
  const t = loc.trim();
  if (t.length === 0 || t.includes('\\') || t.includes('\u0000')) return undefined;
  const absolute = t.startsWith('/');
  const parts = absolute || baseDir === '' ? [] : baseDir.split('/');
  for (const seg of t.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
      continue;
    }
    parts.push(seg);
  }
  return parts.length === 0 ? undefined : parts.join('/');
}

export interface Located {
  /** The entry found, if any. */
  entry?: string;
  /** The name the standard reading gives, for messages when nothing was found. */
  wanted: string;
  /** More than one reading names an existing entry: which file was meant is not certain. */
  ambiguous?: string[];
}

/**
 * Finds the entry `loc` names. An absolute location has one reading. A relative one is read against
 * each base directory in turn (the standard one first), then against the root; when two readings
 * name different existing entries the result is ambiguous, because a reader may show the other one.
 */
export function locate(has: (entry: string) => boolean, loc: string, ...baseDirs: string[]): Located {
  const bases = loc.trim().startsWith('/') ? [''] : [...new Set([...(baseDirs.length > 0 ? baseDirs : ['']), ''])];
  const readings = bases.map((b) => resolveLoc(loc, b));
  const wanted = readings[0] ?? loc.trim();
  const found = [...new Set(readings.filter((r): r is string => r !== undefined && has(r)))];
  if (found.length === 0) return { wanted };
  if (found.length > 1) return { wanted, ambiguous: found };
  return { entry: found[0], wanted };
}
