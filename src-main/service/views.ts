import type { EditState, HistoryEntry, Label, Model, Project, Recording, RecordingStatus, SoundEventRow } from '../api/contract';
import type { EditRow, EventRow, EventVersionRow, LabelRow, ModelRow, ProjectRow, RecordingRow } from '../engine/store';

/** Store rows -> contract objects. Pure. */

export function recordingStatus(row: RecordingRow): RecordingStatus {
  if (row.status === 'reviewed') return 'reviewed';
  if (row.status === 'detected') return 'detected';
  if (row.status === 'error') return row.lastModelId !== null ? 'detected' : 'not-run';
  return 'not-run';
}

export interface EventSummary {
  count: number;
  maxConfidence: number | null;
  labels: Set<string>;
}

export function summarizeEvents(events: readonly EventRow[]): Map<number, EventSummary> {
  const out = new Map<number, EventSummary>();
  for (const e of events) {
    let s = out.get(e.recordingId);
    if (!s) out.set(e.recordingId, (s = { count: 0, maxConfidence: null, labels: new Set() }));
    s.count++;
    s.labels.add(e.label);
    if (e.source === 'predicted' && e.confidence !== null && (s.maxConfidence === null || e.confidence > s.maxConfidence)) s.maxConfidence = e.confidence;
  }
  return out;
}

export function recordingView(row: RecordingRow, summary: EventSummary | undefined, labelId: (name: string) => number): Recording {
  return {
    id: row.id,
    projectId: row.projectId,
    path: row.relPath,
    name: row.relPath.split('/').pop() ?? row.relPath,
    durationSeconds: row.durationSeconds ?? 0,
    sampleRate: row.sampleRate ?? 0,
    channels: row.channels ?? 0,
    status: recordingStatus(row),
    eventCount: summary?.count ?? 0,
    maxConfidence: summary?.maxConfidence ?? null,
    labelIds: [...(summary?.labels ?? [])].map(labelId).sort((a, b) => a - b),
    error: row.errorMessage,
  };
}

export function projectView(row: ProjectRow, recordings: readonly RecordingRow[]): Project {
  const statusCounts = { 'not-run': 0, detected: 0, reviewed: 0 };
  for (const r of recordings) statusCounts[recordingStatus(r)]++;
  return { id: row.id, name: row.name, root: row.rootDir, createdAt: row.createdAt, recordingCount: recordings.length, statusCounts };
}

export function labelView(row: LabelRow, projectId: number): Label {
  const shortcut = row.keyShortcut && /^[a-z0-9]$/.test(row.keyShortcut) ? row.keyShortcut : null;
  return { id: row.id, projectId, name: row.name, color: row.colour, shortcut };
}

export function eventView(row: EventRow, labelId: number): SoundEventRow {
  return {
    id: row.id,
    recordingId: row.recordingId,
    labelId,
    onset: row.onset,
    offset: row.offset,
    confidence: row.confidence,
    source: row.source,
    verified: row.verified,
    lowFrequency: row.lowFrequency,
    highFrequency: row.highFrequency,
    version: row.version,
    updatedAt: row.updatedAt,
  };
}

export function editStateView(projectId: number, state: { undo: EditRow | null; redo: EditRow | null }): EditState {
  return {
    projectId,
    canUndo: state.undo !== null,
    canRedo: state.redo !== null,
    undoDescription: state.undo?.description ?? null,
    redoDescription: state.redo?.description ?? null,
  };
}

function historyAction(v: EventVersionRow): HistoryEntry['action'] {
  if (v.editKind === 'undo') return 'undo';
  if (v.editKind === 'redo') return 'redo';
  if (v.editKind === 'system') return 'detect';
  if (/^split\b/i.test(v.editDescription)) return 'split';
  if (/^merge\b/i.test(v.editDescription)) return 'merge';
  if (v.op === 'restore') return 'create';
  return v.op;
}

/** Versions (oldest first) of one event -> history entries (oldest first). */
export function historyView(versions: readonly EventVersionRow[], labelId: (name: string) => number): HistoryEntry[] {
  const snap = (v: EventVersionRow | undefined) =>
    v && !v.snapshot.deleted
      ? { labelId: labelId(v.snapshot.label), onset: v.snapshot.onset, offset: v.snapshot.offset, confidence: v.snapshot.confidence, source: v.snapshot.source, verified: v.snapshot.verified }
      : null;
  return versions.map((v, i) => ({
    eventId: v.eventId,
    version: v.version,
    action: historyAction(v),
    at: v.createdAt,
    before: snap(versions[i - 1]),
    after: snap(v),
  }));
}

export function modelView(row: ModelRow, bundledRoot: string | null): Model {
  const scores: Record<string, number> = {};
  for (const [k, v] of Object.entries(row.scores)) if (typeof v === 'number' && Number.isFinite(v)) scores[k] = v;
  return {
    id: row.id,
    name: row.name,
    origin: bundledRoot && row.dirPath.startsWith(bundledRoot) ? 'bundled' : 'finetune',
    classes: row.classes,
    active: row.active,
    createdAt: row.createdAt,
    parentId: row.parentModelId,
    scores,
  };
}
