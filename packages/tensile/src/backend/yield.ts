/**
 * Lets the event loop run: worker threads report ready, finalizers release collected tensors, and
 * progress output flushes. Awaiting a resolved promise is not enough (microtasks run before any of
 * those), so long loops such as fit() call this between steps.
 */
export function yieldToEventLoop(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
  if (immediate) return new Promise((resolve) => void immediate(resolve));
  // Browsers: a message-channel task is not clamped the way nested setTimeout(0) is.
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
