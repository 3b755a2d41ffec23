import * as hdr from 'hdr-histogram-js';
import type { LatencySummary } from './types';

/** Histogram of latencies recorded in microseconds (1 µs to 10 minutes, 3 significant digits). */
export function newHistogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
}

const ms = (us: number) => Math.round(us) / 1000;

export function summarize(h: hdr.Histogram): LatencySummary {
  if (h.totalCount === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  return {
    count: h.totalCount,
    mean: ms(h.mean),
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
  };
}

/** Records a latency given in microseconds, clamped into the trackable range. */
export function record(h: hdr.Histogram, us: number): void {
  h.recordValue(us < 1 ? 1 : us > 600_000_000 ? 600_000_000 : Math.round(us));
}
