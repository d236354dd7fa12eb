# fragment for tests/unit (see Makefile.am)
