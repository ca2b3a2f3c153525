import { Observable } from 'rxjs';
import type { Channel, ChannelLease, Lease } from './channel.js';

/**
 * The batches of a channel as an Observable with Reactive-Streams demand: at most `demand` leases
 * are outstanding at once, and the next is taken only when one is released or requeued. So an
 * operator like `mergeMap(work, demand)` downstream never buffers more than `demand` batches:
 * the bound lives here, not in RxJS. Completes when the channel is closed and drained.
 *
 * @example
 * fromChannel(input, 2).pipe(mergeMap((lease) => write(lease), 2)).subscribe();
 */
export function fromChannel(channel: Channel, demand = 1): Observable<Lease> {
  return new Observable<Lease>((subscriber) => {
    let outstanding = 0;
    let waiting = false;
    let done = false;

    const settled = (): void => {
      outstanding -= 1;
      pull();
    };
    const emit = (lease: ChannelLease | undefined): void => {
      if (done) {
        lease?.requeue();
        return;
      }
      if (lease === undefined) {
        if (outstanding === 0) {
          done = true;
          subscriber.complete();
        }
        return;
      }
      outstanding += 1;
      lease.onSettle = settled;
      subscriber.next(lease);
    };
    function pull(): void {
      while (!done && !waiting && outstanding < demand) {
        const lease = channel.tryTake();
        if (lease !== undefined) {
          emit(lease);
          continue;
        }
        if (channel.drained) {
          emit(undefined);
          return;
        }
        waiting = true;
        void channel.take().then((next) => {
          waiting = false;
          emit(next);
          pull();
        });
      }
    }

    pull();
    return () => {
      done = true;
    };
  });
}
