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

/** The label chip drawn at the top-left of a region. */
export function regionContent(name: string, color: string, confidence: number | null, verified: boolean): HTMLElement {
  const el = document.createElement('div');
  el.style.cssText =
    'display:flex;align-items:center;gap:4px;padding:1px 4px;margin:2px;' +
    `white-space:nowrap;font:600 10px/14px system-ui,sans-serif;color:#fff;background:${withAlpha(color, 0.85)};` +
    'border-radius:2px;pointer-events:none;width:max-content;';
  const text = document.createElement('span');
  text.textContent = verified ? `✓ ${name}` : name;
  el.appendChild(text);
  if (confidence != null && !verified) {
    const conf = document.createElement('span');
    conf.textContent = confidence.toFixed(2);
    conf.style.cssText = 'opacity:.85;font-weight:500';
    el.appendChild(conf);
  }
  return el;
}
