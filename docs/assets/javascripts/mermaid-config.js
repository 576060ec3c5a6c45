// mkdocs-material draws each diagram as wide as the page, shrinking a wide one, and its
// text with it (to 5 px on a phone). Here a diagram shrinks to at most MIN_SCALE of its
// natural size (16 px text stays >= 12.8 px); one still too wide scrolls instead
// (docs/assets/extra.css). tools/docs/test_browser.py checks the rendered text's size.
(function () {
  if (typeof mermaid === "undefined") return;
  const MIN_SCALE = 0.8;
  const render = mermaid.render.bind(mermaid);
  mermaid.render = async function (...args) {
    const result = await render(...args);
    result.svg = result.svg.replace(/max-width:\s*([\d.]+)px;?/, (_, width) => {
      const least = (parseFloat(width) * MIN_SCALE).toFixed(1);
      return `max-width: ${width}px; min-width: ${least}px;`;
    });
    return result;
  };
})();
