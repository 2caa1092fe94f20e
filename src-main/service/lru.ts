/** A small LRU map bounded by the summed `size` of its values. */
export class SizedLru<K, V> {
  private readonly map = new Map<K, { value: V; size: number }>();
  private total = 0;
  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    const entry = this.map.get(key);
    if (!entry) return undefined;
    this.map.delete(key);
    this.map.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V, size: number): void {
    const old = this.map.get(key);
    if (old) {
      this.total -= old.size;
      this.map.delete(key);
    }
    if (size > this.capacity) return;
    this.map.set(key, { value, size });
    this.total += size;
    for (const [k, entry] of this.map) {
      if (this.total <= this.capacity) break;
      this.map.delete(k);
      this.total -= entry.size;
    }
  }

  deleteWhere(predicate: (key: K) => boolean): void {
    for (const [k, entry] of this.map) {
      if (predicate(k)) {
        this.map.delete(k);
        this.total -= entry.size;
      }
    }
  }
}
