/** Source of the current time in epoch milliseconds. Injected so tests can freeze or advance time. */
export interface Clock {
  now(): number;
}

/** Source of cryptographically secure random bytes. Injected so tests can be deterministic. */
export interface RandomSource {
  bytes(length: number): Uint8Array;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** The platform CSPRNG (Web Crypto `getRandomValues`). */
export const secureRandom: RandomSource = {
  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    // getRandomValues is limited to 65536 bytes per call; tokens need far fewer.
    globalThis.crypto.getRandomValues(out);
    return out;
  },
};

/**
 * A clock tests can move by hand.
 * @example const clock = new ManualClock(0); clock.advance(1000);
 */
export class ManualClock implements Clock {
  constructor(private current: number = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
  set(ms: number): void {
    this.current = ms;
  }
}
