"""Everything that leaves the statistics: declared tables, figures and the lead's report.

``contracts`` declares every CSV one chapter writes and another reads; ``outputs`` and
``plotting`` write tables and figures; ``descriptive_plots`` and ``rapport_figures`` draw the
chapters' and the report's figures; ``rapport`` and ``interventions`` write the lead's report;
``browser`` prints it to PDF.
"""
