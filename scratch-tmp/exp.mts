import { open } from 'node:fs/promises';
import decoders from 'audio-decode';
import { buildFlacFrameIndex } from '/work/main/src-main/engine/audio/flac-index';
import { openAudioSource } from '/work/main/src-main/engine/audio/source';
const file = '/tmp/lf/long20.flac';
const fh = await open(file, 'r');
const size = (await fh.stat()).size;
const readAt = async (o: number, n: number) => { const b = new Uint8Array(n); const { bytesRead } = await fh.read(b, 0, n, o); return b.subarray(0, bytesRead); };
let t = performance.now();
const index = await buildFlacFrameIndex(readAt, size, 0);
console.log('index', index.offsets.length, (performance.now() - t).toFixed(0), 'ms');
t = performance.now();
const dec = await decoders.flac();
console.log('decoder', (performance.now() - t).toFixed(1));
// feed header, then frames 100, 5000, 9000 (+1 each)
const frameBytes = async (i: number) => readAt(index.offsets[i], (index.offsets[i + 1] ?? size) - index.offsets[i]);
const outs: number[] = [];
let r = await dec(index.streamHeader); outs.push(r.channelData[0]?.length ?? 0);
const seq = [100, 5000, 5001, 9000, 20, 20, 12000];
const got: Float32Array[] = [];
for (const i of seq) { r = await dec(await frameBytes(i)); outs.push(r.channelData[0]?.length ?? 0); if (r.channelData[0]) got.push(r.channelData[0]); }
r = await dec.flush(); outs.push(r.channelData[0]?.length ?? 0); if (r.channelData[0]) got.push(r.channelData[0]);
console.log('outs', outs, index.samples[101]-index.samples[100]);
// compare with chunks
const src = await openAudioSource(file);
let k = 0;
for (const i of seq) {
  const s = index.samples[i];
  let ref: Float32Array | null = null;
  for await (const c of src.chunks(s)) { ref = c.subarray(0, 4096); break; }
  const g = got[k++];
  let maxd = 0; for (let j = 0; j < 4096; j++) maxd = Math.max(maxd, Math.abs(g[j] * 32767/32768 - ref![j]));
  console.log(i, g.length, maxd);
}
t = performance.now();
const d2 = await decoders.flac();
const N = 384;
for (let n = 0; n < N; n++) { const i = Math.floor(n * index.offsets.length / N); await d2(await frameBytes(i)); }
console.log('384 frames one decoder', (performance.now() - t).toFixed(0), 'ms');
