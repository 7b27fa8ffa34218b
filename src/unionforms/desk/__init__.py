"""The statistician's desk (`unionforms serve`): the collecting round as a local web page.

Offline, on the statistician's own machine: bound to 127.0.0.1, every request carrying the key printed at
start, nothing read or written outside the round folder. The pages call the same library functions as
the command line (``progress.check_round``, ``aggregate``, ``export``, ``annotate``); nothing is decided
here that the library does not decide. Needs the optional extra ``unionforms[desk]`` (Flask).
"""
