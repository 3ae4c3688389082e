"""Item pipelines, one module per stage: validate, clean, language, dedupe, classify,
enrich, coverage, store (order and settings in crawler/settings.py). Thin: the
work is done in the layers under crawler/ (text, ml, storage, ops), which these
modules import and never the other way round."""
