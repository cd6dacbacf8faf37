/** Where a training's time goes, part by part: the bench's breakdown of a fit beyond the optimiser itself. */
import type { Clock } from './types.ts';

/** Milliseconds of each named part of a training, in the order they ran. */
export type PhaseTimings = Readonly<Record<string, number>>;

/** A stopwatch of consecutive parts: `lap(name)` charges the time since the previous lap to `name`. */
export function phaseStopwatch(now: Clock): { lap: (name: string) => void; timings: () => PhaseTimings } {
  const out: Record<string, number> = {};
  let last = now();
  return {
    lap(name) {
      const t = now();
      out[name] = (out[name] ?? 0) + t - last;
      last = t;
    },
    timings: () => ({ ...out }),
  };
}
