import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `condition` every 100 ms, at most `tries` times; true once it held. Bounded, never a timed assertion. */
export async function until(condition: () => Promise<boolean>, tries = 100): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await condition()) return true;
    await sleep(100);
  }
  return false;
}
