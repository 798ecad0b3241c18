/*
 * The HairOnto query page: YASGUI on this service's own SPARQL endpoint, with every curated
 * query of the catalogue as a tab. Its settings come from the JSON block the server writes
 * into the page (#haironto-ui-config), so no script is inline and the page's CSP can forbid them.
 *
 * Nothing here, nor in YASGUI as configured here, calls out of this server: the prefix
 * autocompleter reads the service's own prefix list instead of prefix.cc, the class and property
 * autocompleters (which ask the LOV API) are off, there is no link shortener, and the endpoint
 * list holds this endpoint only.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("haironto-ui-config").textContent);
  var endpoint = new URL(config.endpoint, document.baseURI).href;
  var examples = {};
  config.examples.forEach(function (example) {
    examples[example.name] = example;
  });
  // Read before YASGUI starts: it consumes (and clears) the URL fragment for its share links.
  var wanted = new URLSearchParams(window.location.hash.slice(1)).get("example");

  // Only autocompleters that need no internet. They are set on YASQE's defaults because
  // YASGUI merges its options into them element by element, which would keep the others.
  var completers = ["variables", "prefixes"];
  var Yasqe = Yasgui.Yasqe;
  Yasqe.defaults.autocompleters = completers.slice();
  Yasqe.defaults.prefixCcApi = new URL(config.prefixes, document.baseURI).href;
  Yasqe.defaults.createShortLink = undefined;
  Yasqe.defaults.requestConfig.endpoint = endpoint;

  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    endpointCatalogueOptions: {
      getData: function () {
        return [{ endpoint: endpoint }];
      },
      keys: [],
    },
    copyEndpointOnNewTab: false,
    corsProxy: undefined,
    autoAddOnInit: false,
    autofocus: false,
    persistenceId: config.persistenceId,
    yasqe: {
      autocompleters: completers.slice(),
      prefixCcApi: Yasqe.defaults.prefixCcApi,
      createShortLink: undefined,
    },
  });

  function tabId(name) {
    return "example-" + name;
  }

  /** Show a curated query's tab, opening it again if it was closed. */
  function openExample(name, select) {
    var example = examples[name];
    if (!example) return undefined;
    var tab = yasgui.getTab(tabId(name));
    if (!tab) {
      tab = yasgui.addTab(select, {
        id: tabId(name),
        name: name,
        yasqe: { value: example.query },
        requestConfig: { endpoint: endpoint },
      });
    } else if (select) {
      yasgui.selectTabId(tabId(name));
    }
    return tab;
  }

  // A first visit (or a new catalogue) opens the competency questions; later visits keep the
  // tabs as the visitor left them. Every query, QC rules included, is a click away in the list.
  if (yasgui.persistentConfig.getTabs().length === 0) {
    var first = true;
    config.examples.forEach(function (example) {
      if (example.open) {
        openExample(example.name, first);
        first = false;
      }
    });
  }
  if (wanted) openExample(wanted, true);

  document.querySelectorAll("button[data-example]").forEach(function (button) {
    button.addEventListener("click", function () {
      openExample(button.getAttribute("data-example"), true);
    });
  });

  // For people poking around in the console, and for the browser test.
  window.haironto = { yasgui: yasgui, endpoint: endpoint, openExample: openExample };
})();
