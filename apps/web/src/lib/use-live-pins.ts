'use client';

import type { PinView } from '@chatpop/protocol';
import { useEffect, useState } from 'react';

/** The pins still in force at `now`, in the server's order (highest amount first). */
export function activePins(pins: readonly PinView[], now: number): PinView[] {
  return pins.filter((p) => Date.parse(p.pinnedUntil) > now);
}

/**
 * Pins in force, dropping each the moment its time is up (the server's expiry
 * broadcast follows and confirms). Re-renders only at those moments.
 */
export function useLivePins(pins: readonly PinView[]): PinView[] {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const next = Math.min(...pins.map((p) => Date.parse(p.pinnedUntil)).filter((t) => t > Date.now()));
    if (!Number.isFinite(next)) return;
    const timer = setTimeout(() => setTick((t) => t + 1), Math.min(next - Date.now() + 50, 2 ** 31 - 1));
    return () => clearTimeout(timer);
  }, [pins, tick]);
  return activePins(pins, Date.now());
}
