/**
 * How an event region looks. Regions live in wavesurfer's shadow DOM, so they are styled inline.
 * Predicted events: dashed border, fill by confidence. Verified (human) events: solid border and a
 * solid cap bar. The selected event gets a bright outline.
 */
import { regionFill, withAlpha } from './palette';

export interface RegionLook {
  fill: string;
  style: Partial<Record<'border' | 'borderTop' | 'outline' | 'outlineOffset' | 'zIndex' | 'boxShadow', string>>;
}

export function regionLook(color: string, confidence: number | null, verified: boolean, selected: boolean): RegionLook {
  const border = `1px ${verified ? 'solid' : 'dashed'} ${withAlpha(color, verified ? 0.95 : 0.75)}`;
  return {
    fill: regionFill(color, confidence, verified),
    style: {
      border,
      borderTop: `${verified ? 3 : 2}px ${verified ? 'solid' : 'dashed'} ${color}`,
      outline: selected ? '2px solid #ffffff' : 'none',
      outlineOffset: selected ? '-1px' : '0',
      zIndex: selected ? '4' : '3',
      boxShadow: selected ? `0 0 0 1px ${color}, 0 0 12px ${withAlpha(color, 0.6)}` : 'none',
    },
  };
}

export interface Chip {
  name: string;
  color: string;
  confidence: number | null;
  verified: boolean;
}

/** Vertical distance between chip lanes, in pixels. */
export const CHIP_LANE_PX = 17;
const CHIP_FONT = '600 10px system-ui,sans-serif';

function chipTexts(chip: Chip): [string, string | null] {
  return [chip.verified ? `✓ ${chip.name}` : chip.name, chip.confidence != null && !chip.verified ? chip.confidence.toFixed(2) : null];
}

let measureCtx: CanvasRenderingContext2D | null = null;

/** The chip's width in pixels (an upper bound: the confidence is measured in the bold font). */
export function chipWidth(chip: Chip): number {
  measureCtx ??= document.createElement('canvas').getContext('2d');
  const text = chipTexts(chip).filter((t) => t !== null).join('  ');
  if (!measureCtx) return text.length * 7 + 12;
  measureCtx.font = CHIP_FONT;
  return Math.ceil(measureCtx.measureText(text).width) + 12; // padding 4+4, margin 2+2
}

/**
 * A lane (row) per chip so that chips in one lane never overlap: greedy by left edge. Beyond
 * `maxLanes` a chip shares the lane that frees up first.
 */
export function chipLanes<K>(chips: readonly { key: K; x: number; width: number }[], maxLanes: number): Map<K, number> {
  const ends: number[] = [];
  const lanes = new Map<K, number>();
  for (const c of [...chips].sort((a, b) => a.x - b.x)) {
    let lane = ends.findIndex((end) => end <= c.x);
    if (lane < 0) lane = ends.length < maxLanes ? ends.length : ends.indexOf(Math.min(...ends));
    ends[lane] = c.x + c.width;
    lanes.set(c.key, lane);
  }
  return lanes;
}

/**
 * The label chip drawn at the top-left of a region, in its lane. The region's content box has no
 * size, so the regions plugin's own label stacking (which would add a second offset) leaves it alone.
 */
export function regionContent(chip: Chip, lane: number): HTMLElement {
  const box = document.createElement('div');
  box.style.cssText = 'position:absolute;left:0;top:0;width:0;height:0;overflow:visible;pointer-events:none;';
  const el = document.createElement('div');
  el.setAttribute('data-testid', 'region-chip');
  el.style.cssText =
    `position:absolute;left:0;top:${lane * CHIP_LANE_PX}px;display:flex;align-items:center;gap:4px;padding:1px 4px;margin:2px;` +
    `white-space:nowrap;font:${CHIP_FONT};line-height:14px;color:#fff;background:${withAlpha(chip.color, 0.85)};` +
    'border-radius:2px;pointer-events:none;width:max-content;';
  const [label, confidence] = chipTexts(chip);
  const text = document.createElement('span');
  text.textContent = label;
  el.appendChild(text);
  if (confidence) {
    const conf = document.createElement('span');
    conf.textContent = confidence;
    conf.style.cssText = 'opacity:.85;font-weight:500';
    el.appendChild(conf);
  }
  box.appendChild(el);
  return box;
}
