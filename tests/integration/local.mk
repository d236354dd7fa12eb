# fragment for tests/integration (see Makefile.am)
