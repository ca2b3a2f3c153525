/**
 * A fixed-size buffer keeping the last `capacity` items pushed, oldest first.
 *
 * @example
 * const r = new Ring<number>(2);
 * r.push(1); r.push(2); r.push(3);
 * r.toArray(); // [2, 3]
 */
export class Ring<T> {
  private readonly items: T[] = [];
  private next = 0;

  constructor(readonly capacity: number) {}

  push(item: T): void {
    if (this.items.length < this.capacity) this.items.push(item);
    else this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
  }

  get length(): number {
    return this.items.length;
  }

  /** The newest item, if any. */
  last(): T | undefined {
    return this.items[(this.next - 1 + this.capacity) % this.capacity];
  }

  /** The items, oldest first. */
  toArray(): T[] {
    if (this.items.length < this.capacity) return [...this.items];
    return [...this.items.slice(this.next), ...this.items.slice(0, this.next)];
  }
}
