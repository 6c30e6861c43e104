"""The similarity measure's parameters, calibrated by bench/bench_similarity.py on the kit's
calibration set (tests/corpus/similarity/): independently written correct solutions and copies
of them disguised the ways students disguise copies. tests/test_similarity_calibration.py holds
the rates these values give (README, "7. Similarity")."""

NOISE_TOKENS = 12       # k: a k-gram of this many tokens is the shortest match that counts
WINDOW = 4              # winnowing window: every match of NOISE_TOKENS + WINDOW - 1 tokens is found
COMMON_SHARE = 0.2      # a k-gram in at least this share of the documents (batch + known) that wrote
                        # its function is common
COMMON_MIN_DOCS = 4     # ... and in at least this many documents: fewer never make it common
LEAST_CODE_TOKENS = 150  # a share is measured against at least this many tokens of (uncommon) code
GROUP_AT = 0.8          # documents sharing this share of the larger one's k-grams count as one author
FLAG_AT = 0.55          # pairs at or above this similarity are flagged

# What the threshold must give on the calibration set (issue 21's done-when; the report and the
# README say so, tests/test_similarity_calibration.py holds it).
MAX_FALSE_ALARMS = 0.02     # share of independent pairs flagged, at most
MIN_DETECTION = 0.95        # share of disguised copies flagged against what they copy, at least
