import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_WINDOW_SIZE, MIN_WINDOW_SIZE } from './window.js';

/** Where the window's size and position live, in Electron's userData folder. */
export const WINDOW_STATE_FILE = 'window-state.json';
/** Coordinates beyond this are nonsense (no display is 100k px from the origin). */
const MAX_COORD = 100_000;
/** Moves and resizes come in bursts: the state is written once they settle. */
export const WINDOW_STATE_SAVE_DELAY_MS = 500;
/** How much of the window must show on a display to keep its position (enough to grab the title bar). */
export const MIN_VISIBLE_PX = 64;

const Coord = z.number().int().min(-MAX_COORD).max(MAX_COORD);
const Size = z.number().int().min(1).max(MAX_COORD);

/** The file's shape; anything else (hand-edited, truncated, older) is ignored, not trusted. */
export const WindowStateFile = z
  .object({
    version: z.literal(1),
    x: Coord.optional(),
    y: Coord.optional(),
    width: Size,
    height: Size,
    maximized: z.boolean().default(false),
  })
  .strict();
export type WindowStateFile = z.infer<typeof WindowStateFile>;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What the window factory gets: a size, and a position only when it is on a display. */
export interface WindowBounds {
  width: number;
  height: number;
  x?: number;
  y?: number;
  maximized: boolean;
}

function overlap(a: Rect, b: Rect): { w: number; h: number } {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return { w: Math.max(0, w), h: Math.max(0, h) };
}

function clampInt(v: number, lo: number, hi: number): number {
  return Math.round(Math.min(Math.max(v, lo), Math.max(lo, hi)));
}

/**
 * Fits remembered bounds to the displays there are now (`workAreas`: each display's area minus
 * task bars; the first is the primary). A monitor unplugged since, or a resolution lowered,
 * must not leave the window off screen or larger than the screen:
 * - size is at least the window's minimum and at most the chosen display's work area;
 * - the position is kept when at least MIN_VISIBLE_PX × MIN_VISIBLE_PX of the window shows on a
 *   display, then moved fully inside that display; otherwise dropped (the OS centers the window
 *   on the primary display).
 */
export function clampToDisplays(state: WindowStateFile | undefined, workAreas: readonly Rect[]): WindowBounds {
  const primary = workAreas[0];
  const wantW = state?.width ?? DEFAULT_WINDOW_SIZE.width;
  const wantH = state?.height ?? DEFAULT_WINDOW_SIZE.height;
  const maximized = state?.maximized ?? false;
  if (!primary)
    return {
      width: Math.max(wantW, MIN_WINDOW_SIZE.width),
      height: Math.max(wantH, MIN_WINDOW_SIZE.height),
      maximized,
    };
  let target = primary;
  let placed = false;
  if (state?.x !== undefined && state.y !== undefined) {
    const rect = { x: state.x, y: state.y, width: wantW, height: wantH };
    let best = 0;
    for (const area of workAreas) {
      const o = overlap(rect, area);
      if (o.w >= MIN_VISIBLE_PX && o.h >= MIN_VISIBLE_PX && o.w * o.h > best) {
        best = o.w * o.h;
        target = area;
        placed = true;
      }
    }
  }
  const width = clampInt(wantW, Math.min(MIN_WINDOW_SIZE.width, target.width), target.width);
  const height = clampInt(wantH, Math.min(MIN_WINDOW_SIZE.height, target.height), target.height);
  if (!placed || state?.x === undefined || state.y === undefined) return { width, height, maximized };
  return {
    width,
    height,
    x: clampInt(state.x, target.x, target.x + target.width - width),
    y: clampInt(state.y, target.y, target.y + target.height - height),
    maximized,
  };
}

/** Reads the remembered state; undefined when missing or invalid (first start, a damaged file). */
export function loadWindowState(userData: string): WindowStateFile | undefined {
  try {
    const raw: unknown = JSON.parse(readFileSync(join(userData, WINDOW_STATE_FILE), 'utf8'));
    const parsed = WindowStateFile.safeParse(raw);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Writes atomically (temp file + rename): a crash mid-write leaves the old state, not half a file. */
export function saveWindowState(userData: string, state: Omit<WindowStateFile, 'version'>): void {
  const file = join(userData, WINDOW_STATE_FILE);
  const valid = WindowStateFile.parse({ version: 1, ...state });
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(valid), { mode: 0o600 });
  renameSync(tmp, file);
}

/** What a window reports when it is saved (BrowserWindow has these). */
export interface BoundsSource {
  getNormalBounds(): Rect;
  isMaximized(): boolean;
}

export function windowStateOf(win: BoundsSource): Omit<WindowStateFile, 'version'> {
  const b = win.getNormalBounds();
  return {
    x: Math.round(b.x),
    y: Math.round(b.y),
    width: Math.max(1, Math.round(b.width)),
    height: Math.max(1, Math.round(b.height)),
    maximized: win.isMaximized(),
  };
}
