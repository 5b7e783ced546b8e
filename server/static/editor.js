// The evkg query editor: YASGUI on our endpoint with our prefixes, and the example queries.
(function () {
  "use strict";
  var script = document.getElementById("evkg-editor-script");
  var examples = JSON.parse(document.getElementById("evkg-examples").textContent).examples;
  var prefixes = JSON.parse(document.getElementById("evkg-prefixes").textContent);
  var select = document.getElementById("example-select");
  var description = document.getElementById("example-description");
  var container = document.getElementById("yasgui");
  var yasgui = null;

  if (container && window.Yasgui) {
    var endpoint = new URL(container.dataset.endpoint, window.location.href).href;
    // Our prefixes for the editor's prefix autocompletion, instead of fetching prefix.cc.
    var prefixSource = "data:application/json," + encodeURIComponent(JSON.stringify(prefixes));
    window.Yasgui.defaults.yasqe.value = script.dataset.defaultQuery;
    yasgui = new window.Yasgui(container, {
      requestConfig: { endpoint: endpoint, method: "POST" },
      copyEndpointOnNewTab: true,
      endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
      yasqe: { value: script.dataset.defaultQuery, prefixCcApi: prefixSource },
      yasr: { prefixes: prefixes },
    });
    window.evkgYasgui = yasgui;
  }

  function byName(name) {
    for (var i = 0; i < examples.length; i++) {
      if (examples[i].name === name) return examples[i];
    }
    return null;
  }

  function open(example) {
    description.textContent = example.description;
    if (yasgui) {
      var tab = yasgui.addTab(true, { name: example.title, yasqe: { value: example.query } },
                              { avoidDuplicateTabs: true });
      tab.setQuery(example.query);
    } else {
      var plain = document.getElementById("plain-query");
      if (plain) plain.value = example.query;
    }
  }

  select.addEventListener("change", function () {
    var example = byName(select.value);
    if (example) open(example);
    else description.textContent = "";
  });
})();
