# fragment for tests/bmcsim (see Makefile.am)
