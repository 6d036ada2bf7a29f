// DeskBridge's embed script for a website channel. A page includes it with one script tag whose src
// is this file on the DeskBridge host, with ?webAppId=ID (README, "Website channel").
// The script adds a floating button to the page that opens the channel's chat in a frame. A business
// that knows its user adds data-user-id and data-user-hash (the HMAC its server made); they travel
// in the frame's fragment, which no server sees.
(function () {
  const script = document.currentScript;
  if (!script) return;
  const source = new URL(script.src);
  const webAppId = source.searchParams.get("webAppId") || "";
  const user = script.dataset.userId && script.dataset.userHash
    ? `#${new URLSearchParams({ userId: script.dataset.userId, userHash: script.dataset.userHash })}` : "";
  const chat = `${source.origin}/web/im/chat/?webAppId=${encodeURIComponent(webAppId)}${user}`;
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = "Chat with us";
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("data-deskbridge", "chat-button");
  button.style.cssText = "position:fixed;right:20px;bottom:20px;z-index:2147483646;padding:12px 18px;border-radius:24px;border:0;background:#2463eb;color:#fff;font:16px system-ui,sans-serif;cursor:pointer;box-shadow:0 2px 8px #0004";
  const frame = document.createElement("iframe");
  frame.title = "Chat";
  frame.setAttribute("data-deskbridge", "chat-frame");
  frame.style.cssText = "position:fixed;right:20px;bottom:80px;z-index:2147483647;width:min(380px,calc(100vw - 40px));height:min(560px,calc(100vh - 120px));border:1px solid #8886;border-radius:12px;background:#fff;display:none";
  button.addEventListener("click", () => {
    if (!frame.src) frame.src = chat;
    const open = frame.style.display === "none";
    frame.style.display = open ? "block" : "none";
    button.setAttribute("aria-expanded", String(open));
  });
  document.body.append(frame, button);
})();
