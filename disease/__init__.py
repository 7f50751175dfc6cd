"""The disease course beside the toxicity: RECIST 1.1 response and thyroglobulin
doubling time, as pure functions (no Django), built from docs/sources/disease.md
and docs/sources/reference.md 3.1-3.3. Decision support for a multidisciplinary
team: nothing here starts, stops or chooses a therapy."""
