import type { ChangeEvent } from '../store/changes-repo.js';

/**
 * The most recent changes, in seq order, so SSE subscribers are served from memory instead of one
 * store read per subscriber per change.
 * @example const ring = new ChangeRing(1000); ring.reset(41); ring.push(change42); ring.after(41);
 */
export class ChangeRing {
  private items: ChangeEvent[] = [];
  /** Every change with seq > floor is in `items`. */
  private floor = 0;

  constructor(private readonly capacity: number) {}

  reset(seq: number): void {
    this.items = [];
    this.floor = seq;
  }

  push(change: ChangeEvent): void {
    this.items.push(change);
    if (this.items.length > this.capacity) {
      const dropped = this.items.splice(0, this.items.length - this.capacity);
      this.floor = dropped[dropped.length - 1]?.seq ?? this.floor;
    }
  }

  /** Changes with seq > `seq`, or undefined when some of them are no longer held. */
  after(seq: number): ChangeEvent[] | undefined {
    if (seq < this.floor) return undefined;
    // Binary search: the ring is sorted by seq.
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.items[mid]!.seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return this.items.slice(lo);
  }
}
