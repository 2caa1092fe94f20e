/** Longest wait for a frame: a hidden page draws none, and the work must still run. */
const FRAME_WAIT_LIMIT_MS = 200;

/**
 * Runs `work` in a task of its own after the page has drawn its next frame (so after the layout that
 * frame needs), or after FRAME_WAIT_LIMIT_MS when no frame comes. Returns a cancel function.
 */
export function afterNextFrame(work: () => void): () => void {
  let done = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = () => {
    if (done) return;
    done = true;
    clearTimeout(fallback);
    cancelAnimationFrame(frame);
    work();
  };
  const frame = requestAnimationFrame(() => (timer = setTimeout(run)));
  const fallback = setTimeout(run, FRAME_WAIT_LIMIT_MS);
  return () => {
    done = true;
    cancelAnimationFrame(frame);
    clearTimeout(fallback);
    clearTimeout(timer);
  };
}
