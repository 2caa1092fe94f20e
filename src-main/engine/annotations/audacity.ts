import { quoteCell, unquoteCell } from './cells';
import { checkedEvent, fail, optionalNumber, requireNumber, splitLines, type ParseLocation, type ParseOptions } from './event-checks';
import { formatNumber } from './numbers';
import { singleRecording } from './per-file';
import type { AnnotationSet, SoundEvent } from './types';

/**
 * Audacity label track: `start<TAB>end<TAB>label` per line. A line starting with a backslash that
 * follows a label holds that label's frequency band (`\<TAB>low<TAB>high`); negative values mean unset.
 * The track belongs to one recording, named by options.filename. A label may be a JSON string (see quoteCell).
 */
export function parseAudacity(text: string, options: ParseOptions = {}): AnnotationSet {
  const source = options.source ?? 'audacity labels';
  const filename = options.filename ?? '';
  const events: SoundEvent[] = [];
  splitLines(text).forEach((raw, index) => {
    const at: ParseLocation = { source, line: index + 1, onWarning: options.onWarning };
    if (raw.trim() === '') return;
    if (raw.startsWith('\\')) {
      const previous = events[events.length - 1];
      if (!previous) fail(at, 'frequency line (starting with "\\") before any label');
      const [low, high] = raw.slice(1).trim().split(/\s+/);
      const lowHz = optionalNumber(at, 'low frequency', low);
      const highHz = optionalNumber(at, 'high frequency', high);
      events[events.length - 1] = checkedEvent(at, {
        ...previous,
        lowFrequency: lowHz !== undefined && lowHz >= 0 ? lowHz : undefined,
        highFrequency: highHz !== undefined && highHz >= 0 ? highHz : undefined,
      });
      return;
    }
    const fields = raw.split('\t');
    if (fields.length < 2) fail(at, `expected "start<TAB>end<TAB>label", got ${JSON.stringify(raw.trim().slice(0, 60))}`);
    const onset = requireNumber(at, 'start', fields[0]);
    const offset = requireNumber(at, 'end', fields[1]);
    events.push(checkedEvent(at, { filename, onset, offset, label: unquoteCell(fields.slice(2).join('\t')).text }));
  });
  return { files: options.filename !== undefined || events.length > 0 ? [filename] : [], events };
}

export function formatAudacity(set: AnnotationSet): string {
  singleRecording(set, 'Audacity label');
  const lines: string[] = [];
  for (const e of set.events) {
    lines.push(`${formatNumber(e.onset)}\t${formatNumber(e.offset)}\t${quoteCell(e.label)}`);
    if (e.lowFrequency !== undefined || e.highFrequency !== undefined) {
      lines.push(`\\\t${formatNumber(e.lowFrequency ?? -1)}\t${formatNumber(e.highFrequency ?? -1)}`);
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
