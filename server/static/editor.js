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
    var root = container.dataset.root;
    ownEndpointOnly(endpoint);
    // Our prefixes for the editor's prefix autocompletion, instead of fetching prefix.cc.
    var prefixSource = "data:application/json," + encodeURIComponent(JSON.stringify(prefixes));
    window.Yasgui.defaults.yasqe.value = script.dataset.defaultQuery;
    // No autofocus: YASGUI focused the editor on load and on each tab it showed, so a keyboard
    // user's first Tab indented the query, and an arrow key on the examples opened the first
    // and moved into the editor, where the next arrows moved its cursor.
    // YASGUI keeps its tabs, each with its endpoint, in the host's storage under one name: under
    // a proxy's path prefix the editor keeps its own (at the root, the name it always had), or
    // a site under another prefix of the host opened them and queried this one's endpoint.
    var requestConfig = { endpoint: endpoint, method: "POST" };
    var options = {
      persistenceId: root === "/" ? "yagui_yasgui" : "yagui_yasgui" + root,
      autofocus: false,
      requestConfig: requestConfig,
      copyEndpointOnNewTab: true,
      endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
      yasqe: { value: script.dataset.defaultQuery, prefixCcApi: prefixSource },
      yasr: { prefixes: prefixes },
    };
    // YASGUI throws as it starts on a share link it cannot read (a malformed %-escape,
    // ``headers`` that are not JSON) and on tabs kept in the browser's storage that it cannot
    // read again: the page was left without an editor. It starts again without the link, then,
    // if that throws too (the kept tabs were at fault), with the link and without the tabs,
    // then without either, and says what was not read.
    yasgui = startedYasgui(container, options);
    // YASGUI writes a share link's request settings (its graphs, headers, method and the
    // parameters it does not know, which it sends) into its defaults, the object its link's tab
    // holds: each tab opened in that visit (an example chosen) sent them too, and a link naming
    // one graph left every later query that graph's. The link's tab keeps them; the defaults
    // are set back.
    yasgui.config.requestConfig = Object.assign({}, window.Yasgui.defaults.requestConfig,
      { namedGraphs: [], defaultGraphs: [], args: [], headers: {} }, requestConfig);
    window.evkgYasgui = yasgui;
    nameControls(container);
    localLinks(container, yasgui, new URL(root, window.location.href).href,
               container.dataset.base, container.dataset.mesh, container.dataset.meshId);
    noteTruncation(yasgui, document.getElementById("truncation-note"));
    noteEndpoint(yasgui, document.getElementById("endpoint-note"), endpoint);
  }

  // YASGUI started in ``container`` with ``options``, without what it could not read.
  function startedYasgui(container, options) {
    var linked = window.location.href;
    var unlinked = new URL(linked);
    unlinked.hash = "";
    unlinked.search = "";
    var link = unlinked.href !== linked;
    var attempts = [
      { url: linked, keep: true, unread: "" },
      { url: unlinked.href, keep: true, unread: "link" },
      { url: linked, keep: false, unread: "tabs" },
      { url: unlinked.href, keep: false, unread: "both" },
    ].filter(function (attempt) { return link || attempt.url === linked; });
    var failure = null;
    for (var i = 0; i < attempts.length; i++) {
      var attempt = attempts[i];
      window.history.replaceState(window.history.state, "", attempt.url);
      container.textContent = "";
      try {  // (a browser that refuses the page its storage throws as it is named)
        if (!attempt.keep) {
          window.localStorage.removeItem(options.persistenceId + "_config");
        }
        var started = new window.Yasgui(container, options);
      } catch (error) {
        failure = error;
        continue;
      }
      noteUnread(attempt.unread);
      return started;
    }
    throw failure;
  }

  // Says on the page what the editor started without: the share link, the kept tabs, both.
  function noteUnread(unread) {
    var texts = [];
    if (unread === "link" || unread === "both") {
      texts.push("This link's query could not be read (a %-escape or one of its settings is " +
                 "malformed): the editor opened without it.");
    }
    if (unread === "tabs" || unread === "both") {
      texts.push("The tabs this browser kept for the editor could not be read (they may be " +
                 "an older editor's): the editor opened without them.");
    }
    if (texts.length) {
      var note = document.getElementById("link-note");
      note.textContent = texts.join(" ");
      note.hidden = false;
    }
  }

  // A share link's ``endpoint`` (YASGUI reads its link from the hash, else from the query
  // string) that is not this server's is dropped before YASGUI reads it: a link to this
  // editor (`/#query=…&endpoint=https://evil.example/sparql`) ran its query on another
  // host and showed that host's answer as this graph's, and YASGUI kept the endpoint for the
  // tabs opened after it, sending the queries a person wrote there. The rest of the link is
  // kept as written. Both are cleared: a hash that held an endpoint alone, once emptied, left
  // YASGUI the query string's.
  function ownEndpointOnly(endpoint) {
    var url = new URL(window.location.href);
    var hash = foreignEndpointDropped(url.hash.slice(1), endpoint);
    var search = foreignEndpointDropped(url.search.slice(1), endpoint);
    if (hash === null && search === null) return;
    if (hash !== null) url.hash = hash;
    if (search !== null) url.search = search;
    window.history.replaceState(window.history.state, "", url.href);
  }

  // ``given`` (a hash or query string) without the pairs naming an endpoint other than
  // ``endpoint``, or null when it names none. Its pairs are those YASGUI's parser (jsUri)
  // reads: after a leading "?", split at ";" as at "&" (`#query=…;endpoint=…` and
  // `#?endpoint=…` set YASGUI's endpoint too).
  function foreignEndpointDropped(given, endpoint) {
    var pairs = given.replace(/^\?/, "").split(/[&;]/);
    var kept = pairs.filter(function (pair) {
      var at = pair.indexOf("=");
      var value = at < 0 ? "" : pair.slice(at + 1);
      if (decoded(at < 0 ? pair : pair.slice(0, at)) !== "endpoint") return true;
      var named = decoded(value);
      return named !== null && resolved(named) === endpoint;
    });
    return kept.length === pairs.length ? null : kept.join("&");
  }

  // A share link's name or value as its text (``+`` a space, as a form writes it); null when
  // its percent-encoding is malformed.
  function decoded(text) {
    try {
      return decodeURIComponent(text.replace(/\+/g, " "));
    } catch (error) {
      return null;
    }
  }

  // YASGUI gives three of its controls no name a screen reader can say: a tab's endpoint field
  // and query editor (CodeMirror's textarea), and the results' page size beside its "Page
  // size:" text. Each tab and each answer draws its own, so they are named as they appear.
  function nameControls(root) {
    var names = [["input.autocomplete", "SPARQL endpoint"], [".CodeMirror textarea", "SPARQL query"],
                 ["select.tableSizer", "Page size"]];
    function name() {
      names.forEach(function (pair) {
        var controls = root.querySelectorAll(pair[0] + ":not([aria-label])");
        for (var i = 0; i < controls.length; i++) controls[i].setAttribute("aria-label", pair[1]);
      });
    }
    name();
    new MutationObserver(name).observe(root, { childList: true, subtree: true });
  }

  // Result links to the graph's IRIs open this server's page of them: the IRIs are under the
  // base (https://w3id.org/evkg/ by default), which need not resolve to this server; MeSH's
  // IRIs (NLM's) of a MeSH id (``meshId``, the server's pattern of one) open /mesh/{id}, which
  // describes the terms the graph holds and sends any other to NLM, as resource pages link
  // them; NLM's other IRIs (meshv:TopicalDescriptor, a year's /mesh/2024/D…) have no page here
  // and link to NLM. ``here`` is the server's root, under the path prefix a proxy serves it at.
  // Each link is made again from the IRI its text gives (in full, or as a prefixed name of the
  // tab's prefixes): YASGUI writes it as href='…', so an IRI holding an apostrophe (a DOI may)
  // was linked cut there, and the rest of it became attributes of the link.
  function localLinks(root, yasgui, here, base, mesh, meshId) {
    var moves = [];
    if (base && base !== here) moves.push([base, here, /^/]);
    if (mesh && meshId) moves.push([mesh, here + "mesh/", new RegExp("^(?:" + meshId + ")$")]);
    var kept = { "class": true, href: true, rel: true, target: true };
    function rewrite() {
      var links = root.querySelectorAll(".yasr a.iri:not([data-evkg-iri])");
      if (!links.length) return;
      var tab = yasgui.getTab();
      var known = tab && tab.getYasr() ? tab.getYasr().getPrefixes() : {};
      for (var i = 0; i < links.length; i++) {
        var link = links[i], given = link.getAttribute("href") || "";
        var iri = fullIri(link.textContent, known);
        // (YASGUI's href is the IRI up to any apostrophe: a name of prefixes other than this
        // tab's, which the IRI does not start with, keeps the link YASGUI gave)
        if (iri.indexOf(given) !== 0) iri = given;
        link.setAttribute("data-evkg-iri", iri);
        Array.prototype.slice.call(link.attributes).forEach(function (attribute) {
          if (!kept[attribute.name] && attribute.name !== "data-evkg-iri") {
            link.removeAttribute(attribute.name);
          }
        });
        var href = iri;
        moves.forEach(function (move) {
          if (href === iri && iri.indexOf(move[0]) === 0 &&
              move[2].test(iri.slice(move[0].length))) {
            href = move[1] + iri.slice(move[0].length);
            link.removeAttribute("target");
          }
        });
        // an IRI a browser opens as no page (javascript:, data:) runs or shows what the
        // query wrote on this origin: it is shown, not linked
        if (/^https?:/i.test(href)) {
          link.setAttribute("href", href);
        } else {
          link.removeAttribute("href");
        }
      }
    }
    new MutationObserver(rewrite).observe(root, { childList: true, subtree: true });
  }

  // The IRI a result link's text names: a prefixed name (``evkg:Finding``) of ``known``
  // prefixes, else the IRI itself.
  function fullIri(text, known) {
    var colon = text.indexOf(":");
    var prefix = colon < 0 ? null : text.slice(0, colon);
    if (prefix !== null && Object.prototype.hasOwnProperty.call(known || {}, prefix)) {
      return known[prefix] + text.slice(colon + 1);
    }
    return text;
  }

  // An answer cut at the row cap says so in X-EVKG-Truncated: show it above the results. Each
  // tab's editor reports its own query's response (other requests, such as autocompletion,
  // must not hide the note).
  function noteTruncation(yasgui, note) {
    function show(response) {
      var cut = response && response.headers && response.headers.get ?
        response.headers.get("X-EVKG-Truncated") : null;
      note.hidden = !cut;
      note.textContent = cut ? "The answer was cut at the endpoint's cap (" + cut.replace("=", ": ") +
        "): add ORDER BY and LIMIT/OFFSET to page through it (without ORDER BY, a store " +
        "need not give the rows in one order twice), or download the full dataset." : "";
    }
    function watch(tab) {
      var yasqe = tab && tab.getYasqe();
      if (!yasqe || yasqe.evkgWatched) return;
      yasqe.evkgWatched = true;
      yasqe.on("queryResponse", function (_, response) { show(response); });
    }
    watch(yasgui.getTab());
    yasgui.on("query", function (_, tab) { watch(tab); });
    yasgui.on("tabSelect", function () { note.hidden = true; });
  }

  // A tab's endpoint field is editable, and a tab whose endpoint is another host's (typed there,
  // kept in the browser from a link naming it before such links' endpoints were dropped, or
  // copied to the tabs opened from it) showed that host's answers as this graph's, unmarked:
  // while such a tab is shown, the note says whose answers they are.
  function noteEndpoint(yasgui, note, endpoint) {
    function show(tab) {
      var given = tab ? tab.getEndpoint() : "";
      var other = Boolean(given) && resolved(given) !== endpoint;
      note.hidden = !other;
      note.textContent = other ? "This tab queries " + given + ", not this " +
        "server's endpoint (" + endpoint + "): its answers are that endpoint's, not this " +
        "graph's. Put this server's endpoint in the tab's endpoint field to query the graph." : "";
    }
    // (YASGUI tells of a tab selected, added or closed before it records the tab then shown)
    function later() { window.setTimeout(function () { show(yasgui.getTab()); }, 0); }
    show(yasgui.getTab());
    ["tabSelect", "tabAdd", "tabClose", "tabChange"].forEach(function (event) {
      yasgui.on(event, later);
    });
  }

  // ``given`` resolved against the page as a request to it is; null when it is no URL
  // ("http://[x").
  function resolved(given) {
    try {
      return new URL(given, window.location.href).href;
    } catch (error) {
      return null;
    }
  }

  function byName(name) {
    for (var i = 0; i < examples.length; i++) {
      if (examples[i].name === name) return examples[i];
    }
    return null;
  }

  // The tab the last example chosen opened, and how it was then: the keyboard chooses each
  // example it passes (an arrow key on the closed list), and each opened a tab of its own (five
  // arrows, five tabs, kept for every later visit). While that tab is shown as it was opened,
  // the next example chosen takes it; one the visitor has made their own stays: its query
  // edited, its tab renamed, its endpoint or request changed, or its query run (answered or
  // not yet: the next example's query would be shown over this one's answer).
  var browsing = null;

  function state(tab) {
    return JSON.stringify([tab.getName(), tab.getQuery(), tab.getRequestConfig()]);
  }

  if (yasgui) {
    yasgui.on("queryBefore", function (_yasgui, tab) {
      if (browsing && tab.getId() === browsing.id) browsing = null;
    });
  }

  function open(example) {
    description.textContent = example.description;
    if (yasgui) {
      var tab = yasgui.getTab();
      if (!(browsing && tab && tab.getId() === browsing.id && state(tab) === browsing.state &&
            !tab.hasResults())) {
        // (the tab added, or the example's own tab, still open: YASGUI's addTab gives back the
        // tab shown before it selects that one, which got the example's query and name)
        yasgui.addTab(true, { name: example.title, yasqe: { value: example.query } },
                      { avoidDuplicateTabs: true });
        tab = yasgui.getTab();
      }
      tab.setName(example.title);
      tab.setQuery(example.query);
      browsing = { id: tab.getId(), state: state(tab) };
    } else {
      var plain = document.getElementById("plain-query");
      if (plain) plain.value = example.query;
    }
  }

  // Without YASGUI, a query link (`/sparql?query=` opened in a browser, an example page's "run
  // this query" link: `/#query=…&tabTitle=…`, YASGUI's share link) gave the plain form its
  // default query, the link's lost: the form takes the link's query, to run with its button.
  function linkedQuery() {
    var plain = document.getElementById("plain-query");
    var query = new URLSearchParams(window.location.hash.slice(1)).get("query");
    if (plain && query !== null) plain.value = query;
  }
  if (!yasgui) {
    linkedQuery();
    window.addEventListener("hashchange", linkedQuery);
  }

  select.addEventListener("change", function () {
    var example = byName(select.value);
    if (example) open(example);
    else description.textContent = "";
  });
})();
