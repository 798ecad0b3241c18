"""The SPARQL 1.1 Service Description of the endpoint, built from what the service really does."""

from __future__ import annotations

from rdflib import BNode, Literal, Namespace, URIRef
from rdflib import Graph as RdfGraph
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, VOID, XSD

from haironto import __version__
from haironto.entailment import REGIMES
from haironto.formats import GRAPH, RESULTS, formats_of
from haironto.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH, SERVICE

from .releases import graphs as release_graphs
from .store import Service

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/")

#: What each graph of the dataset holds, said in the description.
GRAPH_NOTES = {
    str(ASSERTED_GRAPH): "What the ontology's editors asserted (the haironto-base release).",
    str(INFERRED_GRAPH): "What an OWL reasoner inferred from the asserted axioms, materialized by the build "
    "(the haironto-full release minus haironto-base).",
}


def describe_service(endpoint: str, service: Service, max_body: int | None) -> RdfGraph:
    """Describe the endpoint at ``endpoint`` (the URL the client used) as an RDF graph.

    Args:
        endpoint: the absolute URL of the endpoint, as requested.
        service: the running service (its data, header and limits).
        max_body: the largest request body accepted, in bytes, or None.
    """
    graph = RdfGraph()
    for prefix, namespace in (("sd", SD), ("ent", ENTAILMENT), ("void", VOID), ("hos", SERVICE)):
        graph.bind(prefix, namespace)
    node = BNode()
    graph.add((node, RDF.type, SD.Service))
    graph.add((node, SD.endpoint, URIRef(endpoint)))
    graph.add((node, SD.supportedLanguage, SD.SPARQL11Query))
    for fmt in (*formats_of(RESULTS), *formats_of(GRAPH)):
        graph.add((node, SD.resultFormat, URIRef(fmt.iri)))
    releases = release_graphs()
    if not releases:
        # The default graph is the union of the named graphs (materialized at start-up); the
        # releases' graphs, when loaded, are named graphs outside it, and the feature is not claimed.
        graph.add((node, SD.feature, SD.UnionDefaultGraph))
    graph.add((node, SD.defaultEntailmentRegime, ENTAILMENT.Simple))
    graph.add(
        (node, DCTERMS.title, Literal(f"{service.header.title or 'HairOnto'} SPARQL endpoint", lang="en"))
    )
    graph.add(
        (
            node,
            RDFS.comment,
            Literal(
                "Read-only SPARQL 1.1 Query endpoint. By default no entailment is applied at query time "
                "(simple entailment): the triples an OWL reasoner infers are materialized in the inferred "
                "graph by the build, and the default graph is the union of the asserted and inferred graphs. "
                "A query may ask for another regime with the 'entailment' parameter (rdfs, owl-rl): it is "
                "then evaluated against the closure of that union under the regime, materialized once per "
                "release; the X-HairOnto-Entailment response header names the regime applied. "
                + (
                    "Each published release is also a named graph, named by its version IRI "
                    "(https://w3id.org/haironto/releases/YYYY-MM-DD/haironto.owl) and left out of the "
                    "default graph: name it with FROM, GRAPH or default-graph-uri to query that release. "
                    if releases
                    else ""
                )
                + "SPARQL Update, LOAD and federated SERVICE are refused. "
                f"Each query may run {service.timeout:g} s (a 'timeout' parameter may ask for less) "
                f"and return {service.max_rows} rows or triples; longer answers are cut and say so in "
                "the X-HairOnto-Truncated response header.",
                lang="en",
            ),
        )
    )
    graph.add((node, SERVICE.queryTimeout, Literal(service.timeout, datatype=XSD.decimal)))
    graph.add((node, SERVICE.resultRowLimit, Literal(service.max_rows, datatype=XSD.integer)))
    if max_body is not None:
        graph.add((node, SERVICE.maxRequestBodySize, Literal(max_body, datatype=XSD.integer)))
    graph.add((node, SERVICE.softwareVersion, Literal(__version__)))

    dataset = BNode()
    graph.add((node, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, RDF.type, VOID.Dataset))
    header = service.header
    graph.add((dataset, DCTERMS.source, URIRef(header.iri)))
    if header.title:
        graph.add((dataset, DCTERMS.title, Literal(header.title, lang="en")))
    if header.description:
        graph.add((dataset, DCTERMS.description, Literal(header.description, lang="en")))
    if header.license:
        graph.add((dataset, DCTERMS.license, URIRef(header.license)))
    if header.version_iri:
        graph.add((dataset, OWL.versionIRI, URIRef(header.version_iri)))
    if header.version:
        graph.add((dataset, OWL.versionInfo, Literal(header.version)))
    graph.add((dataset, VOID.triples, Literal(service.stats.default_graph, datatype=XSD.integer)))

    default = BNode()
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, VOID.triples, Literal(service.stats.default_graph, datatype=XSD.integer)))
    union = "The union of the named graphs" + (", except the published releases'." if releases else ".")
    graph.add((default, RDFS.comment, Literal(union, lang="en")))
    for iri, count in service.stats.named_graphs.items():
        named, described = BNode(), BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(iri)))
        graph.add((named, SD.entailmentRegime, ENTAILMENT.Simple))
        graph.add((named, SD.graph, described))
        graph.add((described, RDF.type, SD.Graph))
        graph.add((described, VOID.triples, Literal(count, datatype=XSD.integer)))
        if iri in GRAPH_NOTES:
            graph.add((described, RDFS.comment, Literal(GRAPH_NOTES[iri], lang="en")))
        release = releases.get(iri)
        if release is not None:
            note = (
                f"Release {release.date} as published (its haironto.owl), outside the default graph. "
                "No entailment regime applies to it: a query that asks for one sees it as stored."
            )
            graph.add((described, RDFS.comment, Literal(note, lang="en")))
            graph.add((described, RDF.type, VOID.Dataset))
            graph.add((described, OWL.versionInfo, Literal(release.date)))
            graph.add((described, VOID.dataDump, URIRef(iri)))
    describe_regimes(graph, node)
    return graph


def describe_regimes(graph: RdfGraph, node: BNode) -> None:
    """Add the entailment regimes a query may ask for: per regime, the value of the ``entailment``
    parameter and the regime's IRI, and the dataset such a query runs on, whose named graph of the
    closure says the regime (and the OWL 2 profile) it was computed under, its size, and any
    inconsistency owlrl found in it."""
    from .entailment import datasets, offered

    loaded = datasets()
    for name in offered():
        regime = REGIMES[name]
        choice = BNode()
        graph.add((node, SERVICE.entailmentParameter, choice))
        graph.add((choice, SERVICE.parameterValue, Literal(name)))
        graph.add((choice, SD.entailmentRegime, URIRef(regime.iri)))
        graph.add((choice, RDFS.comment, Literal(regime.title, lang="en")))
        if regime.profile:
            graph.add((choice, SD.supportedEntailmentProfile, URIRef(regime.profile)))
        if name not in loaded:
            continue
        dataset, default, named, described = BNode(), BNode(), BNode(), BNode()
        graph.add((choice, SERVICE.dataset, dataset))
        graph.add((dataset, RDF.type, SD.Dataset))
        graph.add((dataset, SD.defaultGraph, default))
        graph.add((default, RDF.type, SD.Graph))
        graph.add((default, VOID.triples, Literal(loaded[name].triples, datatype=XSD.integer)))
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(str(regime.graph))))
        graph.add((named, SD.entailmentRegime, URIRef(regime.iri)))
        if regime.profile:
            graph.add((named, SD.supportedEntailmentProfile, URIRef(regime.profile)))
        graph.add((named, SD.graph, described))
        graph.add((described, RDF.type, SD.Graph))
        graph.add((described, VOID.triples, Literal(loaded[name].triples, datatype=XSD.integer)))
        note = (
            f"The closure of the default graph under {regime.title}; the dataset of a query that asks "
            f"for entailment={name} has it as its default graph, and the named graphs as stored."
        )
        graph.add((described, RDFS.comment, Literal(note, lang="en")))
        for message in loaded[name].errors:
            graph.add((described, SERVICE.entailmentError, Literal(message)))
