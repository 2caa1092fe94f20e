/** Fine-tuning cannot start: the reviewed material is too thin. `missing` lists each shortfall, one per line. */
export class FinetuneDataError extends Error {
  override name = 'FinetuneDataError';
  constructor(readonly missing: string[]) {
    super(`not enough reviewed material to fine-tune:\n${missing.map((m) => `  - ${m}`).join('\n')}`);
  }
}
