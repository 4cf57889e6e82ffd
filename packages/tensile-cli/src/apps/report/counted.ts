/** "1 epoch", "2 epochs": a count and its noun, singular for one. */
export function counted(count: number, noun: string, plural = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : plural}`;
}
