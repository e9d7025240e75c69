"""Settings of the survey benchmark (bench/bench_surveys.py): the project's settings, one URL more.

Everything comes from ``cem.settings`` and its environment variables; only the
URLconf changes, to add the trivial view the survey pages are compared with.
"""

from cem.settings import *  # noqa: F403 - the benchmark runs the project's settings unchanged

ROOT_URLCONF = "bench.surveys_bench_urls"
