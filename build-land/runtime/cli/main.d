build-land/runtime/cli/main.o: runtime/cli/main.c runtime/cli/cli.h
runtime/cli/cli.h:
