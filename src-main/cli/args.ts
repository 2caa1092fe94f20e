import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';

/** A usage mistake on the command line: printed with the command's usage, exit code 2. */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

/** Refuses (exit 2) an option naming a file or folder that is not there, before any work starts. */
export function requireExisting(path: string, option: string, kind: 'file' | 'folder'): void {
  const info = statSync(path, { throwIfNoEntry: false });
  if (!info) throw new CliUsageError(`${option}: "${path}" does not exist`);
  if (kind === 'folder' ? !info.isDirectory() : info.isDirectory()) throw new CliUsageError(`${option}: "${path}" is not a ${kind}`);
}

type OptionKind = 'string' | 'number' | 'integer' | 'boolean' | 'list' | 'choice';

export interface OptionSpec {
  kind: OptionKind;
  description: string;
  short?: string;
  /** For kind 'choice'. */
  choices?: readonly string[];
  /** Value placeholder shown in help, e.g. DIR. */
  valueName?: string;
  default?: string | number | boolean | readonly string[];
  min?: number;
  max?: number;
  /** Allow giving the option several times (strings are collected into an array). */
  multiple?: boolean;
}

export type OptionSpecs = Record<string, OptionSpec>;

type ValueOf<S extends OptionSpec> = S['kind'] extends 'number' | 'integer'
  ? number
  : S['kind'] extends 'boolean'
    ? boolean
    : S['kind'] extends 'list'
      ? string[]
      : S['multiple'] extends true
        ? string[]
        : string;

export type ParsedOptions<S extends OptionSpecs> = {
  [K in keyof S]: S[K]['default'] extends undefined ? ValueOf<S[K]> | undefined : ValueOf<S[K]>;
};

export interface CommandSpec<S extends OptionSpecs> {
  name: string;
  summary: string;
  /** Positional arguments for the usage line, e.g. ['REFERENCE', 'ESTIMATED']. */
  positionals: { name: string; description: string; variadic?: boolean; optional?: boolean }[];
  options: S;
  examples?: string[];
}

export interface ParsedCommand<S extends OptionSpecs> {
  positionals: string[];
  options: ParsedOptions<S>;
  help: boolean;
}

function convert(name: string, spec: OptionSpec, raw: unknown): unknown {
  if (raw === undefined) return spec.default === undefined ? undefined : spec.default;
  if (spec.kind === 'boolean') return raw;
  const text = String(raw);
  switch (spec.kind) {
    case 'number':
    case 'integer': {
      const value = Number(text);
      if (text.trim() === '' || !Number.isFinite(value)) throw new CliUsageError(`--${name} expects a number, got "${text}"`);
      if (spec.kind === 'integer' && !Number.isInteger(value)) throw new CliUsageError(`--${name} expects a whole number, got "${text}"`);
      if (spec.min !== undefined && value < spec.min) throw new CliUsageError(`--${name} must be at least ${spec.min}, got ${value}`);
      if (spec.max !== undefined && value > spec.max) throw new CliUsageError(`--${name} must be at most ${spec.max}, got ${value}`);
      return value;
    }
    case 'list':
      return text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    case 'choice':
      if (!spec.choices?.includes(text)) throw new CliUsageError(`--${name} must be one of ${spec.choices?.join(', ')}; got "${text}"`);
      return text;
    default:
      return spec.multiple ? (raw as string[]) : text;
  }
}

/** Parses argv against a command spec; throws CliUsageError with a specific message on any mistake. */
export function parseCommand<S extends OptionSpecs>(spec: CommandSpec<S>, argv: string[]): ParsedCommand<S> {
  const nodeOptions: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, opt] of Object.entries(spec.options)) {
    nodeOptions[name] = { type: opt.kind === 'boolean' ? 'boolean' : 'string', ...(opt.short ? { short: opt.short } : {}), ...(opt.multiple ? { multiple: true } : {}) };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: nodeOptions, allowPositionals: true, strict: true, allowNegative: true } as Parameters<typeof parseArgs>[0]);
  } catch (error) {
    throw new CliUsageError((error as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
  const values = parsed.values as Record<string, unknown>;
  const help = values.help === true;
  const options: Record<string, unknown> = {};
  for (const [name, opt] of Object.entries(spec.options)) options[name] = convert(name, opt, values[name]);
  const positionals = parsed.positionals;
  if (!help) {
    const required = spec.positionals.filter((p) => !p.optional);
    const variadic = spec.positionals.some((p) => p.variadic);
    if (positionals.length < required.length) {
      const missing = required.slice(positionals.length).map((p) => p.name);
      throw new CliUsageError(`missing ${missing.join(' and ')}`);
    }
    if (!variadic && positionals.length > spec.positionals.length) {
      throw new CliUsageError(`unexpected argument "${positionals[spec.positionals.length]}"`);
    }
  }
  return { positionals, options: options as ParsedOptions<S>, help };
}

/** Renders `earmark NAME --help`. */
export function formatHelp<S extends OptionSpecs>(spec: CommandSpec<S>): string {
  const usage = spec.positionals
    .map((p) => {
      const base = p.variadic ? `${p.name}...` : p.name;
      return p.optional ? `[${base}]` : base;
    })
    .join(' ');
  const lines = [`Usage: earmark ${spec.name} ${usage} [options]`.replace(/\s+/g, ' ').trim(), '', spec.summary, ''];
  if (spec.positionals.length > 0) {
    lines.push('Arguments:');
    for (const p of spec.positionals) lines.push(`  ${p.name.padEnd(24)} ${p.description}`);
    lines.push('');
  }
  lines.push('Options:');
  for (const [name, opt] of Object.entries(spec.options)) {
    const value = opt.kind === 'boolean' ? '' : ` ${opt.valueName ?? (opt.kind === 'choice' ? opt.choices?.join('|') : 'VALUE')}`;
    const flag = `${opt.short ? `-${opt.short}, ` : ''}--${name}${value}`;
    const def = opt.default !== undefined && opt.default !== false ? ` (default: ${Array.isArray(opt.default) ? opt.default.join(',') : String(opt.default)})` : '';
    lines.push(`  ${flag.padEnd(32)} ${opt.description}${def}`);
  }
  lines.push(`  ${'-h, --help'.padEnd(32)} Show this help`);
  if (spec.examples?.length) {
    lines.push('', 'Examples:');
    for (const example of spec.examples) lines.push(`  ${example}`);
  }
  return lines.join('\n');
}
