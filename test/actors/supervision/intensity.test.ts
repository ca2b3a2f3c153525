import { describe, expect, it } from 'vitest';
import { RestartIntensity } from '../../../src/actors/supervision/index.js';

describe('RestartIntensity', () => {
  it('allows maxRestarts restarts within the period and refuses one more', () => {
    const intensity = new RestartIntensity(3, 1_000);
    expect([0, 10, 20].map((t) => intensity.record(t))).toEqual([true, true, true]);
    expect(intensity.record(30)).toBe(false);
  });

  it('is a sliding window: restarts older than the period stop counting', () => {
    const intensity = new RestartIntensity(2, 1_000);
    expect(intensity.record(0)).toBe(true);
    expect(intensity.record(600)).toBe(true);
    // t=0 is still inside [1000-1000, 1000] (inclusive, as OTP), so this is the third.
    expect(intensity.record(1_000)).toBe(false);
    const fresh = new RestartIntensity(2, 1_000);
    fresh.record(0);
    fresh.record(600);
    expect(fresh.record(1_001)).toBe(true); // t=0 has left the window
    expect(fresh.record(1_500)).toBe(false); // 600, 1001, 1500
  });

  it('maxRestarts 0 refuses the first restart', () => {
    expect(new RestartIntensity(0, 1_000).record(0)).toBe(false);
  });
});
