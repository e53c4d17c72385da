"""Writes of the evaluations app. Import services from their modules, e.g.
`from evaluations.services.scores import score_save`."""
