import type { CrnnConfig } from './manifest';

export interface CrnnShape {
  melBands: number;
  classes: number;
}

/** Name and shape of every weight, in the order they are stored in weights.bin. */
export function crnnWeightShapes(config: CrnnConfig, shape: CrnnShape): { name: string; shape: number[] }[] {
  const out: { name: string; shape: number[] }[] = [];
  let cin = 1;
  let freq = shape.melBands;
  config.convBlocks.forEach((block, i) => {
    out.push({ name: `conv${i}/kernel`, shape: [3, 3, cin, block.filters] });
    for (const p of ['gamma', 'beta', 'mean', 'variance']) out.push({ name: `bn${i}/${p}`, shape: [block.filters] });
    cin = block.filters;
    freq = Math.floor(freq / block.poolFreq);
  });
  if (freq < 1) throw new Error(`CRNN: frequency pooling ${config.convBlocks.map((b) => b.poolFreq).join('x')} leaves no bands of ${shape.melBands}`);
  const gruIn = freq * cin;
  const h = config.gruUnits;
  for (const dir of ['gru_fw', 'gru_bw']) {
    out.push({ name: `${dir}/kernel`, shape: [gruIn, 3 * h] });
    out.push({ name: `${dir}/recurrent`, shape: [h, 3 * h] });
    out.push({ name: `${dir}/bias`, shape: [3 * h] });
    out.push({ name: `${dir}/recurrent_bias`, shape: [3 * h] });
  }
  out.push({ name: 'dense/kernel', shape: [2 * h, shape.classes] });
  out.push({ name: 'dense/bias', shape: [shape.classes] });
  return out;
}
