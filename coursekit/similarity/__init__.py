"""`coursekit similarity`: who may have copied from whom, among submissions and known solutions.

What is compared is what students wrote (code.py): the bodies of the functions they write,
found by name whatever the handout year, without docstrings, comments, handout lines and
provided functions. Fingerprints are copydetect's winnowed k-grams of a token stream in which
variables become one symbol (fingerprints.py); k-grams many documents share are common and do
not count. The threshold is calibrated on tests/corpus/similarity/ (params.py).

    documents.collect(sources, settings, handout, known) -> (list[Document], problems)
    compare.compare_all(docs, handout) -> Comparison      # every pair, most similar first
    report.write(out, comparison)                         # CSVs, similarity.html, pairs/*.html
"""
