/**
 * Sizes a canvas's backing store to `cssWidth` x `cssHeight` CSS pixels at the device pixel ratio (resizing only
 * when it changed, since that clears it) and returns its 2-D context with the size in device pixels.
 */
export function fitCanvas(canvas: HTMLCanvasElement, cssWidth: number, cssHeight: number): { ctx: CanvasRenderingContext2D; width: number; height: number } | null {
  const dpr = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(cssWidth * dpr));
  const height = Math.max(1, Math.round(cssHeight * dpr));
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const ctx = canvas.getContext('2d');
  return ctx ? { ctx, width, height } : null;
}
