// The one live-stream client: reconnects by itself with backoff, at once when the browser comes
// back online or the tab becomes visible, and says so while it is disconnected. Each (re)open is
// reported, so the page reads its state again and nothing that happened meanwhile is lost.
export function openStream({ onOpen, onChange, onState }) {
  let source = null;
  let delay = 500;
  let timer = null;
  let lastEventId = "0";

  function connect() {
    clearTimeout(timer);
    if (source) source.close();
    onState("connecting");
    source = new EventSource("/workbench/api/events");
    source.addEventListener("hello", (event) => {
      delay = 500;
      onState("live");
      onOpen(lastEventId);
      lastEventId = event.lastEventId || lastEventId;
    });
    source.addEventListener("change", (event) => {
      lastEventId = event.lastEventId || lastEventId;
      onChange(JSON.parse(event.data));
    });
    source.onerror = () => {
      source.close();
      source = null;
      onState("down");
      timer = setTimeout(connect, delay);
      delay = Math.min(delay * 2, 15000);
    };
  }

  window.addEventListener("online", () => { if (!source) connect(); });
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible" && !source) connect(); });
  connect();
  return {
    close() { clearTimeout(timer); if (source) source.close(); source = null; },
    reconnect: connect,
  };
}
