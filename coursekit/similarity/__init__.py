"""`coursekit similarity`: pairwise similarity of the student files of many submissions.

Fingerprints come from copydetect (winnowing over a token stream in which names become one
symbol, the approach of MOSS), so renaming variables or reformatting does not hide a copy.
The handout's code is boilerplate: the stubs every student starts from do not count.

    documents.collect(...) -> list[Document]       # unpacked safely, the student files joined
    compare.compare_all(docs, boilerplate) -> list[Pair]   # most similar first
    report.write(out, pairs)                        # similarity.csv, similarity.html
"""
