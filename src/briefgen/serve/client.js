// briefgen serve: reload when the site is rebuilt; show build errors over the last good page.
// Added to every HTML page as it is served, never written into site/.
(() => {
  "use strict";
  const script = document.currentScript;
  const served = script.dataset.build;
  const PANEL_ID = "briefgen-serve-errors";

  function clearPanel() {
    const panel = document.getElementById(PANEL_ID);
    if (panel) panel.remove();
  }

  function showPanel(diagnostics) {
    clearPanel();
    const panel = document.createElement("section");
    panel.id = PANEL_ID;
    panel.setAttribute("role", "alert");
    panel.setAttribute("aria-labelledby", PANEL_ID + "-title");
    panel.style.cssText = [
      "position: fixed", "inset: auto 0 0 0", "z-index: 2147483647", "margin: 0",
      "max-height: 50vh", "overflow: auto", "padding: 1rem 1.25rem",
      "background: #fff5f5", "color: #5c0011", "border-top: 4px solid #a4001d",
      "font: 1rem/1.5 system-ui, sans-serif", "box-shadow: 0 -2px 12px rgb(0 0 0 / 25%)",
    ].join(";");
    const title = document.createElement("h2");
    title.id = PANEL_ID + "-title";
    title.style.cssText = "margin: 0 0 .5rem; font-size: 1.1rem; color: inherit";
    title.textContent = "The build failed: this is the last good version of the site.";
    const list = document.createElement("ul");
    list.style.cssText = "margin: 0; padding-left: 1.25rem";
    for (const text of diagnostics) {
      const item = document.createElement("li");
      const code = document.createElement("code");
      code.style.cssText = "white-space: pre-wrap; color: inherit; background: none";
      code.textContent = text; // text, never markup: messages quote the user's input
      item.append(code);
      list.append(item);
    }
    panel.append(title, list);
    document.body.append(panel);
  }

  const source = new EventSource(script.dataset.events);
  source.addEventListener("reload", (event) => {
    const state = JSON.parse(event.data);
    if (state.build !== served) {
      source.close();
      location.reload();
    } else {
      clearPanel();
    }
  });
  // EventSource also fires a plain "error" Event when the connection drops; only the server's
  // "error" events carry data.
  source.addEventListener("error", (event) => {
    if (typeof event.data !== "string") return;
    const state = JSON.parse(event.data);
    if (state.build !== served) {
      // A newer good build exists: load it first; the new page hears this error again.
      source.close();
      location.reload();
    } else {
      showPanel(state.diagnostics);
    }
  });
})();
