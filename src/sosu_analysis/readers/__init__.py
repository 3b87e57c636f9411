"""Readers of the shipped source tables: raw CSV/XLSX, the published Table 1, the goals, the student extract.

Every reader names the file, row and column of a bad value (``errors.InputError``);
``validation`` recognises a file by its header. The student extract itself is parsed in
``sosu_analysis.students``; ``student_data`` is the chapters' entry point to it.
"""
