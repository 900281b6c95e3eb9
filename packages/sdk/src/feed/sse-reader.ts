import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface SseHandlers {
  onEvent(message: EventSourceMessage): void;
  /** Called for every chunk received, pings included: the liveness signal. */
  onActivity?(): void;
}

// A change event is small; anything near this size is a broken or hostile stream.
const MAX_BUFFER = 1024 * 1024;

/**
 * Reads a `text/event-stream` response body to its end, dispatching each event synchronously
 * (so a cache applies a change before the next chunk is read). Resolves when the server closes
 * the stream; rejects on a network error or an oversize event.
 * @example await readSse(response, { onEvent: (m) => console.log(m.event, m.data) });
 */
export async function readSse(response: Response, handlers: SseHandlers): Promise<void> {
  if (!response.body) throw new Error('event stream has no body');
  let parseError: Error | undefined;
  const parser = createParser({
    maxBufferSize: MAX_BUFFER,
    onEvent: handlers.onEvent,
    onError: (error) => {
      parseError = error;
    },
  });
  const decoder = new TextDecoder();
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      handlers.onActivity?.();
      parser.feed(decoder.decode(value, { stream: true }));
      if (parseError) throw parseError;
    }
  } finally {
    reader.releaseLock();
  }
}
