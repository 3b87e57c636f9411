"""A small, hand-fixed campus × intake panel used as reference data by tests/did.

Six campuses A-F, five intakes 0-4 (F has no intake 0). Pilot campuses A and B
start at intake 3, C at intake 4 (staggered). Each tuple is
(campus, intake, n_students, n_dropout). The numbers were drawn once with
numpy (default_rng(20250401), binomial) and then frozen here; they are test
data, not real students. Student-level rows are obtained by giving the first
``n_dropout`` students of a cell y = 1 and the rest y = 0.
"""

CELLS = [
    ("A", 0, 5, 3), ("A", 1, 9, 0), ("A", 2, 11, 2), ("A", 3, 7, 3), ("A", 4, 14, 0),
    ("B", 0, 8, 1), ("B", 1, 5, 0), ("B", 2, 12, 5), ("B", 3, 10, 2), ("B", 4, 9, 2),
    ("C", 0, 5, 1), ("C", 1, 6, 0), ("C", 2, 8, 0), ("C", 3, 9, 0), ("C", 4, 9, 3),
    ("D", 0, 9, 3), ("D", 1, 11, 3), ("D", 2, 14, 1), ("D", 3, 4, 1), ("D", 4, 9, 1),
    ("E", 0, 9, 1), ("E", 1, 14, 0), ("E", 2, 5, 1), ("E", 3, 10, 1), ("E", 4, 7, 1),
    ("F", 1, 10, 2), ("F", 2, 13, 2), ("F", 3, 9, 2), ("F", 4, 13, 1),
]

#: first treated intake of each pilot campus
START = {"A": 3, "B": 3, "C": 4}
