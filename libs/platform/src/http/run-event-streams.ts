import {
  filter,
  map,
  of,
  startWith,
  Subject,
  takeWhile,
  type Observable,
} from 'rxjs';

/**
 * The events of many runs (jobs, replays) for their server-sent event streams: a run's stream
 * opens with its state as it is now and completes after the run's last event.
 */
export class RunEventStreams<Event> {
  private readonly events = new Subject<{ id: string; event: Event }>();

  constructor(private readonly isLast: (event: Event) => boolean) {}

  emit(id: string, event: Event): void {
    this.events.next({ id, event });
  }

  /** Run `id`'s events from now on, after `current` (its state now). */
  of(id: string, current: Event): Observable<Event> {
    if (this.isLast(current)) return of(current);
    return this.events.pipe(
      filter((entry) => entry.id === id),
      map((entry) => entry.event),
      startWith(current),
      takeWhile((event) => !this.isLast(event), true),
    );
  }

  /** Ends every stream still open, at shutdown. */
  complete(): void {
    this.events.complete();
  }
}
