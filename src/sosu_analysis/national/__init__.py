"""SOSU H in the national picture: the ministry's statistics API, other SOSU schools, the wellbeing survey.

One file for each job (the public names are gathered in :mod:`.api`):

- :mod:`.values`: the API's Danish-formatted strings (``"2.351"``, ``"7,3"``, ``"100,0 %"``);
- :mod:`.query`: a saved query (``config/queries/*.yaml``): the request body and the mapping
  from answer keys to the project's columns;
- :mod:`.client`: HTTP (bearer key, paging on ``side``, retries) and the catalogue (``skema``);
- :mod:`.convert`: an answer, raw or replayed, turned into the published-table layout; the raw
  answer and its sidecar written unchanged;
- :mod:`.fetch_cli`: ``sosu-analysis fetch``;
- :mod:`.counts`: the converted table as counts per school × programme × year;
- :mod:`.compare`: SOSU H vs the other SOSU schools and the national level, with Wilson intervals,
  and the comparative trend model;
- :mod:`.funnel`: funnel-plot control limits (Spiegelhalter 2005);
- :mod:`.etu`: the wellbeing survey (ETU) input, its small-cell rule, and its association with dropout;
- :mod:`.plots`, :mod:`.section`: figures and the Danish section of the lead's report;
- :mod:`.synthetic`: the SYNTHETIC national answer and ETU file shipped until real ones are fetched.

What has met the live service: **nothing yet**. The request body, the answer's shape, the
catalogue, the paging and the error statuses follow the public documentation summarised in
``../shared/REAL_DATA.md`` §2 only; the cube codes in ``config/queries/`` are placeholders marked
"unverified". Everything that would change when the live service disagrees is in the query YAML
or in the one place in :mod:`.client` marked ``DOCUMENTATION ONLY``.
"""
