/** One server-sent event (comments and pings are not events). */
export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

/**
 * Parses a `text/event-stream` body (WHATWG HTML §9.2) into events as the bytes arrive. Small on
 * purpose: the CLI only needs `id`, `event` and `data`.
 * @example for await (const event of readSseEvents(response.body)) console.log(event.data);
 */
export async function* readSseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffered = '';
  let current: { id?: string; event?: string; data: string[] } = { data: [] };
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffered += decoder.decode(value, { stream: true });
    let newline = buffered.search(/\r\n|\r|\n/);
    while (newline !== -1) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + (buffered.startsWith('\r\n', newline) ? 2 : 1));
      if (line === '') {
        if (current.data.length > 0)
          yield {
            id: current.id,
            event: current.event ?? 'message',
            data: current.data.join('\n'),
          };
        current = { data: [] };
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') current.data.push(value);
        else if (field === 'event') current.event = value;
        else if (field === 'id') current.id = value;
      }
      newline = buffered.search(/\r\n|\r|\n/);
    }
  }
}
