/* coursekit serve: reload the page when the outputs it shows were rebuilt; show content errors over the page.
 * Injected only into pages served by `coursekit serve`, never into the files on disk. */
(function () {
  "use strict";
  var seen = null;
  var overlay = null;
  var sheet = document.createElement("link");
  sheet.rel = "stylesheet";
  sheet.href = "/__coursekit/live.css";
  document.head.appendChild(sheet);

  function show(errors) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "coursekit-overlay";
      overlay.setAttribute("role", "alert");
      document.body.appendChild(overlay);
    }
    overlay.textContent = "";
    var title = document.createElement("h2");
    title.textContent = "coursekit: fix these lines, then save (the page shows the last good build)";
    overlay.appendChild(title);
    var list = document.createElement("pre");
    list.textContent = errors.join("\n");
    overlay.appendChild(list);
  }

  function hide() {
    if (overlay) { overlay.remove(); overlay = null; }
  }

  function mine(targets) {
    var path = window.location.pathname;
    if (path === "/" || path === "/index.html") return true;
    return targets.some(function (name) { return path.indexOf("/" + name + "/") === 0; });
  }

  var source = new EventSource("/__coursekit/events");
  source.onmessage = function (event) {
    var state = JSON.parse(event.data);
    if (state.errors.length) show(state.errors); else hide();
    if (seen !== null && state.version !== seen && !state.errors.length && mine(state.targets)) {
      window.location.reload();
      return;
    }
    seen = state.version;
  };
})();
