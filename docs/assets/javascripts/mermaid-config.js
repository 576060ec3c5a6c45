// mkdocs-material initialises mermaid itself, with its own settings. Keep them, but draw
// every diagram at its natural size: by default a wide diagram is shrunk to the page's
// width, and its text with it (to 5 px on a phone). A wide one scrolls instead
// (docs/assets/extra.css); tools/docs/test_browser.py checks the rendered text's size.
(function () {
  if (typeof mermaid === "undefined") return;
  const initialize = mermaid.initialize.bind(mermaid);
  const natural = { useMaxWidth: false };
  mermaid.initialize = function (config) {
    config = config || {};
    return initialize({
      ...config,
      flowchart: { ...config.flowchart, ...natural },
      sequence: { ...config.sequence, ...natural },
      state: { ...config.state, ...natural },
    });
  };
})();
