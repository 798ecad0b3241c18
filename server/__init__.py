"""The HairOnto SPARQL service (installed as haironto.server); the Flask app comes with the protocol slice."""
