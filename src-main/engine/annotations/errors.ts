/** A malformed annotation file: names the source, the 1-based line (when there is one) and the reason. */
export class AnnotationParseError extends Error {
  readonly source: string;
  readonly line: number | undefined;
  readonly reason: string;

  constructor(source: string, line: number | undefined, reason: string) {
    super(line === undefined ? `${source}: ${reason}` : `${source}:${line}: ${reason}`);
    this.name = 'AnnotationParseError';
    this.source = source;
    this.line = line;
    this.reason = reason;
  }
}

/** An annotation set that cannot be written in the requested format (e.g. several recordings into one Audacity track). */
export class AnnotationFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnnotationFormatError';
  }
}
