# fragment for man (see Makefile.am)
