import { useEffect, useRef, useState } from 'preact/hooks';

// useLive calls refresh whenever something may have changed: on each event
// of /api/v2/events while the stream is up, and on a timer (fast while
// `busy`) while it is down or missing, so a page never needs a reload.
// EventSource reconnects by itself after a drop and resumes with
// Last-Event-ID; a stream the server refuses (404, 401) closes for good and
// the page falls back to polling.
export function useLive(refresh, busy) {
  const [mode, setMode] = useState('connecting');
  const ref = useRef(refresh);
  ref.current = refresh;

  useEffect(() => {
    if (typeof EventSource === 'undefined') {
      setMode('polling');
      return undefined;
    }
    const es = new EventSource('/api/v2/events');
    es.onopen = () => setMode('live');
    es.onmessage = () => ref.current();
    const onAny = () => ref.current();
    // The event types a page shows (domain/event.go); members receive only
    // the instance, player and backup ones.
    for (const type of ['operation.started', 'operation.step', 'operation.succeeded', 'operation.failed',
      'instance.status_changed', 'instance.ip_changed', 'instance.wake_requested', 'player.joined', 'player.left',
      'backup.started', 'backup.ready', 'backup.failed'])
      es.addEventListener(type, onAny);
    es.onerror = () => {
      setMode(es.readyState === EventSource.CLOSED ? 'polling' : 'reconnecting');
      if (es.readyState !== EventSource.CLOSED) ref.current();
    };
    return () => es.close();
  }, []);

  useEffect(() => {
    // Members are not sent operation events (domain.MemberVisible): while
    // an operation runs the page also polls, even with the stream up.
    if (mode === 'live' && !busy) return undefined;
    const id = setInterval(() => ref.current(), busy ? 1500 : 8000);
    return () => clearInterval(id);
  }, [mode, busy]);

  return mode;
}
