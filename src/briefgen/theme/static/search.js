// The search page: Pagefind's default UI over the index `briefgen build` writes to pagefind/.
// Links are relative to this page, so the site works below any path and from file://.
(() => {
  "use strict";
  const box = document.getElementById("search");
  if (!box) return;
  const bundle = new URL(box.dataset.bundle, location.href);
  const root = new URL(box.dataset.root, location.href);
  const unavailable = () => {
    document.getElementById("search-unavailable").hidden = false;
  };
  if (typeof PagefindUI === "undefined") return unavailable();
  // Try the index first: browsers that refuse modules from file:// fail here, and the page says
  // how to serve the site instead of showing a search box that can never answer.
  import(bundle.href + "pagefind.js").then(() => {
    const ui = new PagefindUI({
      element: "#search",
      bundlePath: bundle.href,
      baseUrl: root.pathname, // Pagefind's result URLs start at the site root
      showImages: false,
      showSubResults: true,
      autofocus: true,
    });
    const query = new URLSearchParams(location.search).get("q");
    if (query) ui.triggerSearch(query);
  }, unavailable);
})();
