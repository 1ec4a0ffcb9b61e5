/**
 * How a straddle seal (骑缝章) is cut: the one place the signer, the verifier and the desktop
 * client's preview agree on it. The seal picture is cut across the edge into as many strips as
 * pages — vertical strips for the left and right edges, horizontal ones for the top and bottom —
 * at whole-pixel boundaries round(k·size/n). The first page of the range gets the innermost strip
 * (for the right edge the leftmost one), the last page the outermost, as when the sheets are
 * fanned out and stamped.
 */
export type StraddleEdge = 'right' | 'left' | 'top' | 'bottom';
export const STRADDLE_EDGES: readonly StraddleEdge[] = ['right', 'left', 'top', 'bottom'];

export interface PixelRect { x: number; y: number; width: number; height: number }

/** The part of a `width`×`height` picture that the page at `position` (0-based in the range) shows. */
export function stripSlice(width: number, height: number, edge: StraddleEdge, count: number, position: number): PixelRect {
  const vertical = edge === 'right' || edge === 'left';
  const size = vertical ? width : height;
  // Slices are numbered from the left (columns) or from the top (rows).
  const k = edge === 'right' || edge === 'bottom' ? position : count - 1 - position;
  const from = Math.round((k * size) / count);
  const to = Math.round(((k + 1) * size) / count);
  return vertical ? { x: from, y: 0, width: to - from, height } : { x: 0, y: from, width, height: to - from };
}

/** The most strips a picture can be cut into: every strip at least one pixel wide. */
export function maxStrips(width: number, height: number, edge: StraddleEdge): number {
  return edge === 'right' || edge === 'left' ? width : height;
}
