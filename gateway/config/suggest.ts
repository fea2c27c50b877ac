/** The candidate closest to a misspelt name, for "did you mean" hints; undefined when none is close. */
export function closestName(name: string, candidates: string[]): string | undefined {
  const lower = name.toLowerCase();
  const budget = Math.max(2, Math.floor(name.length / 2));
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(candidate.toLowerCase(), lower);
    // The first of equally close candidates wins, so hints follow the order names were declared in.
    if (distance <= budget && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}
