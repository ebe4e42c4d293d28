/**
 * Which partition of the request topic a request goes to. A partition whose request went
 * unanswered past the re-send delay is suspected (its classifier may have died, and the group
 * gives its partitions to the others only after the session timeout) and avoided for
 * `suspicionMs`, or until a reply from it comes first.
 */
export class RequestPartitions {
  private readonly suspectedUntil = new Map<number, number>();

  constructor(
    private readonly count: number,
    private readonly suspicionMs: number,
  ) {}

  /**
   * A random partition not in `tried`, preferring those not suspected; undefined once every
   * partition was tried.
   */
  pick(tried: ReadonlySet<number>, now = Date.now()): number | undefined {
    const untried = Array.from({ length: this.count }, (_, p) => p).filter(
      (partition) => !tried.has(partition),
    );
    const trusted = untried.filter(
      (partition) => (this.suspectedUntil.get(partition) ?? 0) <= now,
    );
    const choices = trusted.length > 0 ? trusted : untried;
    return choices[Math.floor(Math.random() * choices.length)];
  }

  suspect(partition: number, now = Date.now()): void {
    this.suspectedUntil.set(partition, now + this.suspicionMs);
  }

  answered(partition: number): void {
    this.suspectedUntil.delete(partition);
  }
}
