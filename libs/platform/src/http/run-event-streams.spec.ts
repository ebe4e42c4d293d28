import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lastValueFrom, toArray } from 'rxjs';
import { RunEventStreams } from './run-event-streams.js';

type Event = { state: 'running' | 'progress' | 'done' };

describe('RunEventStreams', () => {
  const isLast = (event: Event) => event.state === 'done';

  it("opens a run's stream with its state, then its events only, and completes after its last", async () => {
    const streams = new RunEventStreams(isLast);
    const received = lastValueFrom(
      streams.of('a', { state: 'running' }).pipe(toArray()),
    );
    streams.emit('b', { state: 'progress' });
    streams.emit('a', { state: 'progress' });
    streams.emit('a', { state: 'done' });
    streams.emit('a', { state: 'progress' });
    assert.deepEqual(
      (await received).map(({ state }) => state),
      ['running', 'progress', 'done'],
    );
  });

  it('gives a finished run its state alone', async () => {
    const streams = new RunEventStreams(isLast);
    assert.deepEqual(
      await lastValueFrom(streams.of('a', { state: 'done' }).pipe(toArray())),
      [{ state: 'done' }],
    );
  });

  it('ends the streams still open when completed', async () => {
    const streams = new RunEventStreams(isLast);
    const received = lastValueFrom(
      streams.of('a', { state: 'running' }).pipe(toArray()),
    );
    streams.complete();
    assert.deepEqual(await received, [{ state: 'running' }]);
  });
});
