import { crnnWeightShapes, type CrnnShape } from './crnn-shapes';
import { timePoolFactor, type BandNormalization, type CrnnConfig, type ModelManifest } from './manifest';

/** One network of a model: its architecture and the prefix its weights are stored under. */
export interface EnsembleMember {
  architecture: CrnnConfig;
  /** '' for the model's own network; `member{i}/` for the i-th extra one. */
  prefix: string;
  /**
   * For a member trained with other band statistics than the model's: per band, the features the model
   * normalised are re-normalised as x * scale + shift before this member sees them.
   */
  input?: { scale: Float32Array; shift: Float32Array };
  /** The member's own band statistics, when they differ from the model's. */
  normalization?: BandNormalization;
}

/** The part of a manifest that says which networks run. */
export type ModelNetworks = Pick<ModelManifest, 'architecture'> & Partial<Pick<ModelManifest, 'ensemble' | 'normalization'>>;

/** The prefix of the i-th extra member's weights (1-based). */
export function memberPrefix(i: number): string {
  return `member${i}/`;
}

/**
 * Every network whose frame probabilities a model averages: its own `architecture` first (unprefixed weights),
 * then each of `ensemble`. A plain model is a one-member ensemble.
 */
export function modelMembers(manifest: ModelNetworks): EnsembleMember[] {
  const extra = (manifest.ensemble ?? []).map((m, i): EnsembleMember => {
    const member = { architecture: m.architecture, prefix: memberPrefix(i + 1) };
    if (!m.normalization) return member;
    if (!manifest.normalization) throw new Error(`ensemble member ${i + 1} has its own normalization but the model has none`);
    return { ...member, normalization: m.normalization, input: renormalization(manifest.normalization, m.normalization) };
  });
  return [{ architecture: manifest.architecture, prefix: '' }, ...extra];
}

/** Per band, x * scale + shift turns features normalised with `from` into features normalised with `to`. */
export function renormalization(from: BandNormalization, to: BandNormalization): { scale: Float32Array; shift: Float32Array } {
  if (from.mean.length !== to.mean.length) throw new Error(`normalizations of ${from.mean.length} and ${to.mean.length} bands cannot be combined`);
  const scale = Float32Array.from(from.std, (s, b) => s / to.std[b]);
  const shift = Float32Array.from(from.mean, (m, b) => (m - to.mean[b]) / to.std[b]);
  return { scale, shift };
}

/** Name and shape of every weight of every member, in the order weights.bin stores them. */
export function modelWeightShapes(manifest: ModelNetworks, shape: CrnnShape): { name: string; shape: number[] }[] {
  return modelMembers(manifest).flatMap((m) => crnnWeightShapes(m.architecture, shape).map((w) => ({ name: m.prefix + w.name, shape: w.shape })));
}

/** One member's weights under their plain names (`conv0/kernel`, ...). */
export function memberWeights<T>(all: Map<string, T>, member: EnsembleMember, shape: CrnnShape): Map<string, T> {
  const out = new Map<string, T>();
  for (const { name } of crnnWeightShapes(member.architecture, shape)) {
    const value = all.get(member.prefix + name);
    if (value === undefined) throw new Error(`weight "${member.prefix + name}" is missing`);
    out.set(name, value);
  }
  return out;
}

/** One network of a model on its own: its architecture, the band statistics it was trained on, and its weights under plain names. */
export interface ModelNetwork<T> {
  architecture: CrnnConfig;
  normalization: BandNormalization;
  weights: Map<string, T>;
}

/**
 * The k-th network of a model (1-based: 1 is its own network, then each ensemble member), or a sentence
 * saying that it has no such network.
 */
export function modelNetwork<T>(manifest: ModelNetworks & Pick<ModelManifest, 'normalization'>, all: Map<string, T>, k: number, shape: CrnnShape): ModelNetwork<T> | { missing: string } {
  const members = modelMembers(manifest);
  const member = Number.isInteger(k) ? members[k - 1] : undefined;
  if (!member) return { missing: `has ${members.length} network${members.length === 1 ? '' : 's'}, not a network ${k}` };
  return { architecture: member.architecture, normalization: member.normalization ?? manifest.normalization, weights: memberWeights(all, member, shape) };
}

/** Why these networks cannot be averaged frame by frame, or undefined when they can. */
export function ensembleProblem(manifest: ModelNetworks): string | undefined {
  const factors = modelMembers(manifest).map((m) => timePoolFactor(m.architecture));
  if (factors.some((f) => f !== factors[0])) return `ensemble members pool time by different factors (${factors.join(', ')}); their outputs would not align`;
  return undefined;
}
